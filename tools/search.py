"""Search: generate architectures with a trained generator, or run a baseline search loop.

Generation (CONFIG is a generator-training config, CHECKPOINT a checkpoint it wrote, which holds
the frozen supernet, the generator and the random prior):

    python tools/search.py CONFIG CHECKPOINT (--constraints C1 C2 ... | --range LOW HIGH NUM)
        [--out-dir DIR] [--tolerance 0.01 | --no-projection] [--extrapolate] [--cfg-options ...]

  All architectures come from one batched forward pass. Writes one subnet file per constraint,
  summary.csv, summary.md and flops.png (target vs generated FLOPs) into --out-dir (default:
  work_dirs/<config>/generated). A constraint outside the trained range is refused unless
  --extrapolate is given (then a warning is printed).

Search loops (CONFIG has a ``search_cfg``: random search or evolution; CHECKPOINT is the trained
supernet):

    python tools/search.py CONFIG SUPERNET_CKPT [--work-dir DIR] [--resume] [--cfg-options ...]
    bash tools/dist_search.sh CONFIG SUPERNET_CKPT GPUS [args]

  Writes best_subnet.yaml, candidates.csv and search_state.json into
  <work-dir>/<search_cfg.out_dir>; --resume continues an interrupted search from its state.
"""
import argparse
import os
import warnings

import numpy as np
from mmengine.config import Config, DictAction

from mmsgnas.engine import (build_search_runner, generate_subnets, load_generator,
                            run_search_loop, search_cfg_of, write_generation)
from mmsgnas.utils import setup_cpu_distributed, shutdown_distributed


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    generation = parser.add_argument_group('generation (generator configs)')
    targets = generation.add_mutually_exclusive_group()
    targets.add_argument('--constraints', type=float, nargs='+', help='targets in MFLOPs')
    targets.add_argument('--range', type=float, nargs=3, metavar=('LOW', 'HIGH', 'NUM'),
                         help='NUM evenly spaced targets from LOW to HIGH MFLOPs')
    generation.add_argument('--out-dir')
    generation.add_argument('--tolerance', type=float, default=0.01,
                            help='relative budget tolerance of the final projection (default 1%%)')
    generation.add_argument('--no-projection', action='store_true',
                            help='plain argmax decoding, no projection onto the budget')
    generation.add_argument('--extrapolate', action='store_true',
                            help='allow constraints outside the trained range')
    loops = parser.add_argument_group('search loops (configs with search_cfg)')
    loops.add_argument('--work-dir', help='default: work_dirs/<config name>')
    loops.add_argument('--resume', action='store_true',
                       help='continue from the search state in the work dir')
    loops.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    loops.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def config_name(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def generate(args: argparse.Namespace, cfg: Config) -> list:
    if not (args.constraints or args.range):
        raise SystemExit(f'{args.config} is a generator config: give --constraints or --range')
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
    out_dir = args.out_dir or os.path.join('work_dirs', config_name(args.config), 'generated')
    write_generation(out_dir, subnets, dict(generator=os.path.abspath(args.checkpoint)))
    errors = [abs(s.flops - s.constraint) / s.constraint * 100 for s in subnets]
    print(f'generated {len(subnets)} architectures in {seconds:.3f} s '
          f'(one batched forward + decoding); mean |FLOPs - target| {np.mean(errors):.2f}%, '
          f'max {np.max(errors):.2f}%; written to {out_dir}')
    return subnets


def search(args: argparse.Namespace, cfg: Config, search_cfg: dict):
    if args.constraints or args.range:
        raise SystemExit(f'{args.config} configures a search loop; --constraints/--range are for '
                         'generator configs (set search_cfg.flops_budget instead)')
    cfg.launcher = args.launcher
    work_dir = args.work_dir or cfg.get('work_dir') or os.path.join('work_dirs',
                                                                   config_name(args.config))
    setup_cpu_distributed(cfg)
    runner = build_search_runner(cfg, args.checkpoint, work_dir, args.launcher)
    loop = run_search_loop(runner, search_cfg, resume=args.resume)
    shutdown_distributed()
    return loop.best


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    search_cfg = search_cfg_of(cfg)
    if search_cfg is None:
        return generate(args, cfg)
    return search(args, cfg, search_cfg)


if __name__ == '__main__':
    main()
