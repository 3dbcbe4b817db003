"""Generate architectures for many FLOPs budgets with a trained generator (one forward pass).

    python tools/search.py CONFIG CHECKPOINT (--constraints C1 C2 ... | --range LOW HIGH NUM)
        [--out-dir DIR] [--tolerance 0.01 | --no-projection] [--extrapolate] [--cfg-options ...]

CONFIG is the generator-training config, CHECKPOINT a checkpoint it wrote (it holds the frozen
supernet, the generator and the random prior). Writes one subnet file per constraint, summary.csv,
summary.md and flops.png (target vs generated FLOPs) into --out-dir (default:
work_dirs/<config>/generated). A constraint outside the trained range is refused unless
--extrapolate is given (then a warning is printed).
"""
import argparse
import os
import warnings

import numpy as np
from mmengine.config import Config, DictAction

from mmsgnas.engine import generate_subnets, load_generator, write_generation


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--constraints', type=float, nargs='+', help='targets in MFLOPs')
    group.add_argument('--range', type=float, nargs=3, metavar=('LOW', 'HIGH', 'NUM'),
                       help='NUM evenly spaced targets from LOW to HIGH MFLOPs')
    parser.add_argument('--out-dir')
    parser.add_argument('--tolerance', type=float, default=0.01,
                        help='relative budget tolerance of the final projection (default 1%%)')
    parser.add_argument('--no-projection', action='store_true',
                        help='plain argmax decoding, no projection onto the budget')
    parser.add_argument('--extrapolate', action='store_true',
                        help='allow constraints outside the trained range')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None) -> list:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model = load_generator(cfg, args.checkpoint)
    if args.range:
        low, high, num = args.range
        targets = np.linspace(low, high, int(num)).tolist()
    else:
        targets = args.constraints
    low, high = model.constraint_range
    outside = [t for t in targets if not low <= t <= high]
    if outside and args.extrapolate:
        warnings.warn(f'extrapolating to {outside} MFLOPs, outside the trained range {low}..{high}')
    tolerance = None if args.no_projection else args.tolerance
    subnets, seconds = generate_subnets(model, targets, tolerance, args.extrapolate)
    out_dir = args.out_dir or os.path.join(
        'work_dirs', os.path.splitext(os.path.basename(args.config))[0], 'generated')
    write_generation(out_dir, subnets, dict(generator=os.path.abspath(args.checkpoint)))
    errors = [abs(s.flops - s.constraint) / s.constraint * 100 for s in subnets]
    print(f'generated {len(subnets)} architectures in {seconds:.3f} s '
          f'(one batched forward + decoding); mean |FLOPs - target| {np.mean(errors):.2f}%, '
          f'max {np.max(errors):.2f}%; written to {out_dir}')
    return subnets


if __name__ == '__main__':
    main()
