"""Time to train the generator and to generate 100 architectures for 100 constraints, in one run.

    python tools/analysis/benchmark_generator.py CONFIG SUPERNET_CKPT [--epochs 30] [--num 100]
        [--repeats 5] [--work-dir DIR]

Trains the generator of CONFIG (a generator-training config) on the frozen supernet with mmengine's
runner and times it, then times generating ``--num`` architectures for ``--num`` evenly spaced
constraints over the trained range: one batched generator forward, with argmax decoding alone and
with the projection onto each budget (median of ``--repeats``). The issue's goal: under 1 s for 100.
"""
import argparse
import statistics
import time

import torch
from mmengine.config import Config
from mmengine.runner import Runner

import mmsgnas  # noqa: F401


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('supernet_checkpoint')
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--num', type=int, default=100)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--work-dir', default='work_dirs/benchmark_generator')
    args = parser.parse_args(argv)

    cfg = Config.fromfile(args.config)
    cfg.model.supernet_checkpoint = args.supernet_checkpoint
    cfg.train_cfg.max_epochs = args.epochs
    cfg.train_cfg.val_interval = args.epochs + 1   # time the training alone
    cfg.work_dir = args.work_dir
    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    train_seconds = time.perf_counter() - start
    model = runner.model.module if hasattr(runner.model, 'module') else runner.model
    model.eval()

    low, high = model.constraint_range
    targets = torch.linspace(low, high, args.num).tolist()
    timings = {}
    for name, tolerance in (('argmax decoding', None), ('with projection (1%)', 0.01)):
        runs = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            archs = model.generate(targets, tolerance=tolerance)
            runs.append(time.perf_counter() - start)
        timings[name] = statistics.median(runs)
        assert len(archs) == args.num
    print(f'generator training: {args.epochs} epochs in {train_seconds:.1f} s '
          f'({torch.get_num_threads()} threads)')
    for name, seconds in timings.items():
        print(f'generate {args.num} architectures for {args.num} constraints, {name}: '
              f'{seconds:.3f} s (median of {args.repeats})')
    return dict(train_seconds=train_seconds, **timings)


if __name__ == '__main__':
    main()
