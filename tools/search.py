"""Search: generate architectures with a trained generator, or run a search loop.

Generation (CONFIG is a generator-training config, CHECKPOINT a checkpoint it wrote, which holds
the frozen supernet, the generator and the random prior):

    python tools/search.py CONFIG CHECKPOINT (--constraints C1 C2 ... | --range LOW HIGH NUM)
        [--out-dir DIR] [--tolerance 0.01 | --no-projection] [--extrapolate] [--cfg-options ...]

  All architectures come from one batched forward pass. Writes one subnet file per constraint,
  summary.csv, summary.md (raw argmax and projected FLOPs side by side) and flops.png into
  --out-dir (default: work_dirs/<config>/generated); an existing --out-dir is replaced only if it
  is an earlier generation output. A constraint outside the trained range is refused unless
  --extrapolate is given.

Search loops (CONFIG has a ``search_cfg``: random search, evolution, REA, WeakNAS; CHECKPOINT is
the trained supernet, or nothing for a query-mode config that scores by benchmark look-up):

    python tools/search.py CONFIG [SUPERNET_CKPT] [--work-dir DIR] [--resume] [--cfg-options ...]
    bash tools/dist_search.sh CONFIG SUPERNET_CKPT GPUS [args]

  Writes best_subnet.yaml, candidates.csv and search_state.json into
  <work-dir>/<search_cfg.out_dir>; --resume continues an interrupted search from its state.
"""
import argparse
import os
import warnings
from typing import List, Optional

import numpy as np
from mmengine.config import Config, DictAction

from mmsgnas.engine import (build_search_runner, generate_subnets, is_query_mode, load_generator,
                            run_search_loop, search_cfg_of, write_generation)
from mmsgnas.utils import setup_cpu_distributed, shutdown_distributed
from mmsgnas.utils.machine import numerics_summary


def positive_count(text: str) -> int:
    """NUM of --range: a whole number >= 1 (3 and 3.0 are accepted, 2.5 is not)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'NUM must be a whole number, got {text!r}')
    if value != int(value) or value < 1:
        raise argparse.ArgumentTypeError(f'NUM must be a whole number >= 1, got {text!r}')
    return int(value)


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a number (MFLOPs, or ms for a latency '
                                         f'generator), got {text!r}')
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f'a constraint must be a positive number, got {text!r}')
    return value


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?',
                        help='generator checkpoint, or trained supernet for a search loop '
                        '(none for a query-mode search)')
    generation = parser.add_argument_group('generation (generator configs)')
    targets = generation.add_mutually_exclusive_group()
    targets.add_argument('--constraints', type=positive_float, nargs='+',
                         help="targets in the generator's unit (MFLOPs; ms with a latency cost)")
    targets.add_argument('--range', nargs=3, metavar=('LOW', 'HIGH', 'NUM'),
                         help='NUM evenly spaced targets from LOW to HIGH (MFLOPs; ms with a '
                         'latency cost)')
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
    if args.range is not None:
        try:
            low, high = positive_float(args.range[0]), positive_float(args.range[1])
            num = positive_count(args.range[2])
        except argparse.ArgumentTypeError as err:
            parser.error(f'--range: {err}')
        if high < low or (num > 1 and high == low):
            parser.error(f'--range: HIGH ({high:g}) must be above LOW ({low:g})')
        args.range = (low, high, num)
    if args.tolerance <= 0:
        parser.error(f'--tolerance must be positive, got {args.tolerance:g}')
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def config_name(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def target_list(args: argparse.Namespace) -> List[float]:
    if args.range:
        low, high, num = args.range
        return np.linspace(low, high, num).tolist()
    return list(args.constraints)


def generate(args: argparse.Namespace, cfg: Config) -> list:
    if not (args.constraints or args.range):
        raise SystemExit(f'{args.config} is a generator config: give --constraints or --range')
    if args.checkpoint is None:
        raise SystemExit(f'{args.config} is a generator config: give the generator checkpoint')
    targets = target_list(args)
    model = load_generator(cfg, args.checkpoint)
    low, high = model.constraint_range
    unit = model.cost_table.unit
    outside = [t for t in targets if not low <= t <= high]
    if outside and args.extrapolate:
        warnings.warn(f'extrapolating to {outside} {unit}, outside the trained range '
                      f'{low}..{high} {unit}')
    tolerance = None if args.no_projection else args.tolerance
    subnets, seconds = generate_subnets(model, targets, tolerance, args.extrapolate)
    out_dir = args.out_dir or os.path.join('work_dirs', config_name(args.config), 'generated')
    write_generation(out_dir, subnets, dict(generator=os.path.abspath(args.checkpoint), unit=unit),
                     model.space)
    raw = [abs(s.raw_flops - s.constraint) / s.constraint * 100 for s in subnets]
    final = [abs(s.flops - s.constraint) / s.constraint * 100 for s in subnets]
    projected = [s for s in subnets if s.steps]
    print(f'generated {len(subnets)} architectures in {seconds:.3f} s (one batched forward + '
          f'decoding); generator alone (argmax): mean |{unit} - target| {np.mean(raw):.2f}%, max '
          f'{np.max(raw):.2f}%')
    if tolerance is not None:
        print(f'projection onto the budget (tolerance {100 * tolerance:g}%) changed '
              f'{len(projected)} of {len(subnets)} architectures '
              f'({sum(s.steps for s in projected)} decisions in all); final mean '
              f'{np.mean(final):.2f}%, max {np.max(final):.2f}%')
    print(f'written to {out_dir}')
    return subnets


def search(args: argparse.Namespace, cfg: Config, search_cfg: dict):
    if args.constraints or args.range:
        raise SystemExit(f'{args.config} configures a search loop; --constraints/--range are for '
                         'generator configs (set search_cfg.flops_budget instead)')
    work_dir = args.work_dir or cfg.get('work_dir') or os.path.join('work_dirs',
                                                                   config_name(args.config))
    if is_query_mode(search_cfg):
        out_dir = os.path.join(work_dir, search_cfg.get('out_dir') or 'search')
        loop = run_search_loop(None, search_cfg, resume=args.resume,
                               scope=cfg.get('default_scope'), out_dir=out_dir)
        return loop.best
    if args.checkpoint is None:
        raise SystemExit(f'{args.config} scores candidates on a supernet: give its checkpoint')
    cfg.launcher = args.launcher
    setup_cpu_distributed(cfg)
    runner = build_search_runner(cfg, args.checkpoint, work_dir, args.launcher)
    runner.logger.info(numerics_summary())
    loop = run_search_loop(runner, search_cfg, resume=args.resume)
    shutdown_distributed()
    return loop.best


def main(argv: Optional[list] = None):
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
