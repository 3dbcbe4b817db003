"""A candidate gets the same score on 1 and on 2 processes (BN recalibration statistics reduced
over the ranks, padded duplicates of the sampler dropped by mmengine's Evaluator)."""
import os
import random
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.dataset import DefaultSampler, pseudo_collate
from torch.utils.data import DataLoader

from test_search_loops import SPACE, batches, build_supernet

# 37 evaluation images: not divisible by 2 ranks x batch 8, so the sampler pads
EVAL_IMAGES, RECAL_BATCHES = 37, 4


def evaluation_loader(seed: int = 7) -> DataLoader:
    items = batches(1, seed, batch_size=EVAL_IMAGES).dataset
    return DataLoader(items, batch_size=8, collate_fn=pseudo_collate,
                      sampler=DefaultSampler(items, shuffle=False))


def scores(archs) -> list:
    from mmsgnas.evaluation import SubnetEvaluator
    model = build_supernet(0)
    recal = batches(RECAL_BATCHES, 99, batch_size=6)
    evaluator = SubnetEvaluator(model, evaluation_loader(), recal, recal_batches=RECAL_BATCHES)
    return [evaluator.evaluate(arch) for arch in archs]


def archs() -> list:
    rng = random.Random(5)
    return [SPACE.sample(rng) for _ in range(4)]


def worker(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    try:
        result = scores(archs())
        torch.save(result, f'{out}.{rank}')
    finally:
        dist.barrier()
        dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_one_and_two_processes_give_the_same_scores(tmp_path):
    single = scores(archs())
    assert len({round(s['accuracy/top1'], 6) for s in single}) > 1    # the scores tell apart
    out = str(tmp_path / 'scores')
    mp.spawn(worker, args=(2, free_port(), out), nprocs=2, join=True)
    for rank in range(2):
        assert torch.load(f'{out}.{rank}', weights_only=True) == single
