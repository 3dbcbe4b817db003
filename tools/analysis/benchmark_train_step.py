"""Train-step time of several configs, or variants of one config, measured side by side.

    python tools/analysis/benchmark_train_step.py CONFIG [CONFIG ...] [--steps 10] [--warmup 2]
        [--variant NAME KEY=VALUE [KEY=VALUE ...]] ... [--cfg-options KEY=VALUE ...]
        [--contiguous] [--device cpu] [--out result.json]

Every config (by its file name) and every variant (the first config with the variant's options)
runs its own training batches; their steps alternate, so that drift of the machine falls on all
alike. ``--cfg-options`` applies to all of them (e.g. ``model.backbone.init_cfg=None`` to skip a
pretrained checkpoint). Prints the median ms per step, per sample, and the ratio to the first row.
Example: the searched digits detector with a stride-4 stem against mmpretrain's MobileNetV2::

    python tools/analysis/benchmark_train_step.py configs/demo/retinanet_digits.py \
        configs/demo/retinanet_mobilenetv2_digits.py \
        --variant stride4 model.backbone.macro.stem_stride=4 \
        --cfg-options model.backbone.init_cfg=None
"""
import argparse
import json
import os

import torch
from mmengine.config import Config, DictAction

from mmsgnas.utils import benchmark_configs, register_all_modules


def _options(pairs: list, where: str) -> dict:
    """KEY=VALUE pairs parsed as ``--cfg-options`` parses them."""
    for pair in pairs:
        if '=' not in pair:
            raise SystemExit(f'{where}: expected KEY=VALUE, got {pair!r}')
    parser = argparse.ArgumentParser(prog=where)
    parser.add_argument('--options', nargs='+', action=DictAction, default={})
    return parser.parse_args(['--options', *pairs]).options if pairs else {}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--variant', nargs='+', action='append', default=[],
                        metavar=('NAME', 'KEY=VALUE'),
                        help='a variant of the first config: its name, then its options')
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--contiguous', action='store_true',
                        help='keep NCHW parameters (default: channels-last, as ChannelsLastHook)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    parser.add_argument('--out', help='write the result as JSON here')
    args = parser.parse_args(argv)
    register_all_modules()
    cfgs = {}
    for path in args.configs:
        cfg = Config.fromfile(path)
        cfg.merge_from_dict(args.cfg_options)
        cfgs[os.path.splitext(os.path.basename(path))[0]] = cfg
    for name, *pairs in args.variant:
        if name in cfgs:
            parser.error(f'--variant {name}: the name is taken')
        cfg = Config.fromfile(args.configs[0])
        cfg.merge_from_dict(args.cfg_options)
        cfg.merge_from_dict(_options(pairs, f'--variant {name}'))
        cfgs[name] = cfg
    result = benchmark_configs(cfgs, args.steps, args.warmup, args.device,
                               channels_last=not args.contiguous)
    print(f'{args.steps} train steps each (after {args.warmup} warm-up), alternating, '
          f'{torch.get_num_threads()} threads, device {args.device}')
    for name, row in result.items():
        print(f'  {name:32s} batch {row["batch_size"]:3d}  median {row["median_ms"]:8.1f} ms  '
              f'{row["median_ms_per_sample"]:6.1f} ms/sample  ratio {row["ratio"]:.2f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
    return result


if __name__ == '__main__':
    main()
