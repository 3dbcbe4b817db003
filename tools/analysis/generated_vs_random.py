"""Accuracy (inherited weights) of generated architectures against random ones of similar FLOPs.

    python tools/analysis/generated_vs_random.py CONFIG GENERATOR_CKPT [--budgets 5]
        [--random-per-budget 20] [--window 0.03] [--seed 0] [--out FILE.json]

For ``--budgets`` evenly spaced targets over the trained range, the generator's architecture and
``--random-per-budget`` random architectures whose FLOPs lie within ``--window`` (relative) of the
target are evaluated with the frozen supernet's weights on the config's val dataloader (the split
the generator trained on; BN statistics as trained). Prints, per budget, the generated accuracy
against the random mean and maximum.
"""
import argparse
import json
import random
import statistics

import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmsgnas.engine import load_generator
from mmsgnas.models import recalibrated_bn
from mmsgnas.space import sample_arch


@torch.no_grad()
def accuracy(model, batches, arch, recal_batches=None) -> float:
    supernet = model.supernet
    if recal_batches:
        def forward(data):
            with supernet.backbone.using(arch):
                supernet.extract_feat(data['inputs'])
        with recalibrated_bn(supernet, recal_batches, forward):
            return accuracy(model, batches, arch)
    correct = total = 0
    with supernet.backbone.using(arch):
        for data in batches:
            predictions = supernet.head.predict(supernet.extract_feat(data['inputs']))
            labels = torch.stack([s.gt_label for s in data['data_samples']]).flatten()
            correct += int((torch.stack([p.pred_label for p in predictions]).flatten()
                            == labels).sum())
            total += len(labels)
    return 100.0 * correct / total


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--budgets', type=int, default=5)
    parser.add_argument('--random-per-budget', type=int, default=20)
    parser.add_argument('--window', type=float, default=0.03)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--recalibrate', type=int, default=0, metavar='N',
                        help='recompute BN statistics of each architecture on N batches of the '
                        'train split before evaluating it (0: as trained)')
    parser.add_argument('--out')
    args = parser.parse_args(argv)
    cfg = Config.fromfile(args.config)
    model = load_generator(cfg, args.checkpoint)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        loader = Runner.build_dataloader(cfg.val_dataloader)
    batches = [model.data_preprocessor(data, False) for data in loader]
    recal_batches = []
    if args.recalibrate:
        recal_cfg = cfg.val_dataloader.copy()
        recal_cfg.dataset = dict(recal_cfg.dataset, split='train')
        recal_cfg.sampler = dict(type='DefaultSampler', shuffle=True, seed=args.seed)
        with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
            recal_loader = Runner.build_dataloader(recal_cfg, seed=args.seed)
        for data in recal_loader:
            if len(recal_batches) == args.recalibrate:
                break
            recal_batches.append(model.data_preprocessor(data, False))
    low, high = model.constraint_range
    targets = torch.linspace(low, high, args.budgets).tolist()
    generated = model.generate(targets)
    rng = random.Random(args.seed)
    rows = []
    for target, arch in zip(targets, generated):
        randoms = []
        while len(randoms) < args.random_per_budget:
            candidate = sample_arch(rng, model.supernet.backbone.num_layers)
            if abs(model.cost_table.arch_mflops(candidate) - target) <= args.window * target:
                randoms.append(candidate)
        random_accs = [accuracy(model, batches, a, recal_batches) for a in randoms]
        row = dict(target=target, generated_flops=model.cost_table.arch_mflops(arch),
                   generated_acc=accuracy(model, batches, arch, recal_batches),
                   random_mean=statistics.mean(random_accs), random_std=statistics.pstdev(random_accs),
                   random_max=max(random_accs), random_n=len(random_accs))
        rows.append(row)
        print(f'target {target:8.3f} MFLOPs: generated {row["generated_acc"]:6.2f}% '
              f'({row["generated_flops"]:.3f} MFLOPs) | random (n={row["random_n"]}) mean '
              f'{row["random_mean"]:6.2f}% std {row["random_std"]:5.2f} max {row["random_max"]:6.2f}%')
    above = sum(r['generated_acc'] >= r['random_max'] for r in rows)
    print(f'generated at or above the best random architecture at {above} of {len(rows)} budgets')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(rows, f, indent=1)
    return dict(rows=rows)


if __name__ == '__main__':
    main()
