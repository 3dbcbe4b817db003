"""Train-step time of a config's model with contiguous vs channels-last parameters, side by side.

    python tools/analysis/benchmark_memory_format.py CONFIG [--steps 10] [--device cpu]
        [--cfg-options k=v ...]

Both forms start from the same weights and alternate step by step on the same batches of the
config's training data. Decide with it whether ``custom_hooks=[dict(type='mmsgnas.ChannelsLastHook')]``
pays on your machine.
"""
import argparse

import torch
from mmengine.config import Config, DictAction

from mmsgnas.utils import benchmark_memory_formats, register_all_modules


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    result = benchmark_memory_formats(cfg, args.steps, args.warmup, args.device)
    print(f'{args.config}: {args.steps} train steps each, alternating, {torch.get_num_threads()} '
          f'threads, device {args.device}')
    for name, row in result.items():
        extra = f'  speedup {row["speedup"]:.2f}x' if 'speedup' in row else ''
        print(f'  {name:14s} median {row["median_ms"]:8.1f} ms  min {row["min_ms"]:8.1f} ms{extra}')
    return result


if __name__ == '__main__':
    main()
