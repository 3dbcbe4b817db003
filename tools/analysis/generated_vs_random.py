"""Accuracy (inherited weights) of generated architectures against random ones of similar FLOPs.

    python tools/analysis/generated_vs_random.py CONFIG GENERATOR_CKPT
        [--search-config configs/demo/random_search_digits.py] [--split test] [--budgets 5]
        [--random-per-budget 20] [--window 0.03] [--seed 0] [--cloud-cache FILE] [--out FILE]

For ``--budgets`` evenly spaced targets over the generator's trained range, the generated
architecture (projected within 1 % of the target) and ``--random-per-budget`` uniform random
architectures whose FLOPs lie in [target * (1 - window), target * 1.01] are scored with the frozen
supernet's weights, under the protocol of the search baselines: the ``--split`` dataloader of
``--search-config`` (test: seen by neither the generator nor any search), BN recalibrated on that
config's ``recal_dataloader`` / ``recal_batches`` (``--no-recalibrate``: statistics as trained).

The random cloud depends only on the supernet and the protocol, so ``--cloud-cache`` keeps it in a
JSON file and reuses it when every setting matches (handy when comparing several generators).
"""
import argparse
import copy
import hashlib
import json
import os
import random
import statistics
from typing import Dict, List

from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmsgnas.cost import sample_within_budget
from mmsgnas.engine import load_generator, search_cfg_of
from mmsgnas.evaluation import SubnetEvaluator
from mmsgnas.space import Arch
from mmsgnas.utils import write_text_atomic

DEFAULT_SEARCH_CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'configs', 'demo', 'random_search_digits.py')
TOLERANCE = 0.01   # the generator's projection tolerance; random ones get the same allowance above


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='generator config')
    parser.add_argument('checkpoint', help='generator checkpoint')
    parser.add_argument('--search-config', default=DEFAULT_SEARCH_CONFIG,
                        help='config whose search_cfg gives the recalibration protocol '
                        '(default: the digits random-search config of this repository)')
    parser.add_argument('--split', choices=('val', 'test'), default='test')
    parser.add_argument('--no-recalibrate', action='store_true')
    parser.add_argument('--confirm-split', choices=('train', 'val', 'test'),
                        help='also score the generated and the best random architecture (chosen '
                        'on --split) on this split: the best of a noisy cloud is flattered by '
                        'the split it was picked on, an independent split is not')
    parser.add_argument('--budgets', type=int, default=5)
    parser.add_argument('--random-per-budget', type=int, default=20)
    parser.add_argument('--window', type=float, default=0.03,
                        help='random architectures may be this much (relative) below the target')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cloud-cache', help='JSON file to keep and reuse the random cloud')
    parser.add_argument('--out', help='write the per-budget rows as JSON')
    return parser.parse_args(argv)


def build_evaluator(model, search_config: str, split: str, recalibrate: bool) -> SubnetEvaluator:
    cfg = Config.fromfile(search_config)
    search_cfg = search_cfg_of(cfg)
    scope = cfg.get('default_scope')
    if split == 'train':   # the training images through the val pipeline, in order
        loader_cfg = copy.deepcopy(cfg.val_dataloader)
        loader_cfg.dataset.split = 'train'
    else:
        loader_cfg = cfg[f'{split}_dataloader']
    with DefaultScope.overwrite_default_scope(scope):
        loader = Runner.build_dataloader(loader_cfg, seed=0)
        recal_loader = Runner.build_dataloader(search_cfg['recal_dataloader'], seed=0) \
            if recalibrate else None
    return SubnetEvaluator(model.supernet, loader, recal_loader,
                           search_cfg['recal_batches'] if recalibrate else 0)


def supernet_fingerprint(model) -> str:
    digest = hashlib.sha1()
    for name, tensor in sorted(model.supernet.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def random_cloud(model, evaluate: SubnetEvaluator, targets: List[float], args,
                 settings: dict) -> List[List[dict]]:
    """Per target, the random architectures with FLOPs and accuracy (from the cache if valid)."""
    if args.cloud_cache and os.path.isfile(args.cloud_cache):
        with open(args.cloud_cache) as f:
            cached = json.load(f)
        if cached.get('settings') == settings:
            print(f'random cloud reused from {args.cloud_cache}')
            return cached['cloud']
    table = model.cost_table
    cloud = []
    for index, target in enumerate(targets):
        rng = random.Random(args.seed * 1000 + index)
        archs = [sample_within_budget(rng, table, target * (1 + TOLERANCE),
                                      target * (1 - args.window))
                 for _ in range(args.random_per_budget)]
        cloud.append([dict(arch=a.to_lists(), flops=table.arch_mflops(a), accuracy=evaluate(a))
                      for a in archs])
    if args.cloud_cache:
        write_text_atomic(args.cloud_cache, json.dumps(dict(settings=settings, cloud=cloud)))
    return cloud


def main(argv=None) -> Dict:
    args = parse_args(argv)
    model = load_generator(args.config, args.checkpoint)
    evaluate = build_evaluator(model, args.search_config, args.split, not args.no_recalibrate)
    low, high = model.constraint_range
    step = (high - low) / max(args.budgets - 1, 1)
    targets = [low + step * i for i in range(args.budgets)]
    settings = dict(supernet=supernet_fingerprint(model), search_config=args.search_config,
                    split=args.split, recalibrate=not args.no_recalibrate, targets=targets,
                    random_per_budget=args.random_per_budget, window=args.window, seed=args.seed)
    cloud = random_cloud(model, evaluate, targets, args, settings)
    confirm = build_evaluator(model, args.search_config, args.confirm_split,
                              not args.no_recalibrate) if args.confirm_split else None
    rows = []
    for target, arch, randoms in zip(targets, model.generate(targets, TOLERANCE), cloud):
        accs = [r['accuracy'] for r in randoms]
        best = max(randoms, key=lambda r: r['accuracy'])
        generated_acc = evaluate(arch)
        row = dict(target=target, generated_arch=arch.to_lists(),
                   generated_flops=model.cost_table.arch_mflops(arch),
                   generated_acc=generated_acc, random_n=len(accs),
                   random_mean=statistics.mean(accs), random_std=statistics.pstdev(accs),
                   random_max=best['accuracy'], random_best_arch=best['arch'],
                   random_best_flops=best['flops'],
                   generated_rank=1 + sum(a > generated_acc for a in accs))
        if confirm is not None:
            row.update(confirm_split=args.confirm_split, confirm_generated_acc=confirm(arch),
                       confirm_random_best_acc=confirm(Arch(best['arch'])))
        rows.append(row)
        print(f'target {target:7.3f} MFLOPs: generated {row["generated_acc"]:6.2f}% '
              f'({row["generated_flops"]:.3f} MFLOPs, rank {row["generated_rank"]} of '
              f'{len(accs) + 1}) | random (n={len(accs)}) mean {row["random_mean"]:6.2f}% '
              f'std {row["random_std"]:5.2f} max {row["random_max"]:6.2f}%')
        if confirm is not None:
            print(f'    on {args.confirm_split}: generated {row["confirm_generated_acc"]:6.2f}%, '
                  f'best random of {args.split} {row["confirm_random_best_acc"]:6.2f}%')
    above = sum(r['generated_acc'] >= r['random_max'] for r in rows)
    print(f'generated at or above the best random architecture at {above} of {len(rows)} budgets; '
          f'mean rank {statistics.mean(r["generated_rank"] for r in rows):.1f} of '
          f'{args.random_per_budget + 1}')
    if confirm is not None:
        confirmed = sum(r['confirm_generated_acc'] >= r['confirm_random_best_acc'] for r in rows)
        print(f'on {args.confirm_split}: generated at or above the best random architecture of '
              f'{args.split} at {confirmed} of {len(rows)} budgets')
    if args.out:
        write_text_atomic(args.out, json.dumps(dict(settings=settings, rows=rows), indent=1))
    return dict(rows=rows, above=above)


if __name__ == '__main__':
    main()
