"""Top-1 of random subnets of a trained supernet with inherited weights (no retraining).

    python tools/analysis/eval_random_subnets.py CONFIG CHECKPOINT [--num 20] [--seed 1]
        [--split val|test] [--out FILE.json] [--cfg-options ...]

Each architecture is drawn from the space's sampling (as in supernet training) and evaluated with the config's
val (or test) dataloader and metric; the BN statistics are those accumulated during supernet
training. Prints one line per architecture and the mean and standard deviation.
"""
import argparse
import json
import os
import random
import statistics

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmengine.model import is_model_wrapper

import mmsgnas  # noqa: F401


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--num', type=int, default=20)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--split', choices=['val', 'test'], default='val')
    parser.add_argument('--work-dir', default=None)
    parser.add_argument('--out', default=None, help='write the results as JSON here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    if not os.path.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or os.path.join(
        'work_dirs', os.path.splitext(os.path.basename(args.config))[0], 'random_subnets')
    cfg.load_from, cfg.resume = args.checkpoint, False
    cfg.default_hooks = dict(cfg.get('default_hooks', {}), logger=dict(type='LoggerHook', interval=1000))
    runner = Runner.from_cfg(cfg)
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    rng = random.Random(args.seed)
    results = []
    for index in range(args.num):
        arch = model.space.sample(rng)
        model.eval_arch = arch
        metrics = runner.val() if args.split == 'val' else runner.test()
        top1 = metrics['accuracy/top1']
        results.append(dict(arch=model.space.to_text(arch), top1=top1))
        print(f'subnet {index:3d}: top-1 {top1:6.2f}  {model.space.describe(arch)}')
    accs = [r['top1'] for r in results]
    summary = dict(split=args.split, num=len(accs), mean=statistics.mean(accs),
                   std=statistics.pstdev(accs), min=min(accs), max=max(accs), subnets=results)
    print(f'{len(accs)} random subnets, {args.split} top-1: mean {summary["mean"]:.2f} '
          f'std {summary["std"]:.2f} min {summary["min"]:.2f} max {summary["max"]:.2f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(summary, f, indent=1)
    return summary


if __name__ == '__main__':
    main()
