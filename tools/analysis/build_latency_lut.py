"""Measure the latency table of a generator config's space on this device.

    python tools/analysis/build_latency_lut.py CONFIG [--device cpu|cuda[:N]] [--batch-size B]
        [--threads T] [--out FILE] [--warmup 10] [--repeats 30] [--min-sample-ms 2]
        [--mixed-checks 3] [--glue-networks 5] [--seed 0] [--cfg-options ...]

CONFIG is a generator config (e.g. configs/latency/generator_latency_digits.py): its supernet
gives the space and macro structure, ``model.input_size`` the input size, the supernet head the
classes and ``model.cost.network`` the options of the deployed network (SE, activation). The table
goes to --out, by default ``model.cost.table`` of the config. Run it on the device the networks
will run on, with the batch size and threads they will run with, and nothing else busy. See
mmsgnas/cost/latency_lut.py for what is timed and how.
"""
import argparse
import os
import sys

from mmengine.config import Config, DictAction

from mmsgnas.cost.latency_lut import (measure_latency_table, parts_model_errors,
                                      save_latency_table)
from mmsgnas.cost.switch import latency_target_of


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--device', default='cpu', help='cpu, cuda or cuda:N')
    parser.add_argument('--batch-size', type=int, default=1)
    parser.add_argument('--threads', type=int, help='torch.set_num_threads (default: as is)')
    parser.add_argument('--out', help='JSON file (default: model.cost.table of the config)')
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--repeats', type=int, default=30)
    parser.add_argument('--min-sample-ms', type=float, default=2.0,
                        help='calls per sample are chosen so that a sample lasts this long')
    parser.add_argument('--mixed-checks', type=int, default=3,
                        help='mixed-kernel blocks per layer timed directly to check the model')
    parser.add_argument('--glue-networks', type=int, default=5,
                        help='random whole networks that calibrate the glue term (0: none)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    if args.batch_size < 1 or (args.threads is not None and args.threads < 1):
        parser.error('--batch-size and --threads must be >= 1')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    target = latency_target_of(cfg)
    out = args.out or target['table']
    if not out:
        sys.exit(f'{args.config} names no latency table (model.cost.table); give --out FILE')
    space = target['space']
    print(f'measuring {space.num_layers} layers of {space.name} at {target["input_size"]}px, '
          f'batch {args.batch_size}, on {args.device} ({args.threads or "default"} threads)')
    data = measure_latency_table(
        space, target['input_size'], target['num_classes'], batch_size=args.batch_size,
        device=args.device, threads=args.threads, network=target['network'],
        warmup=args.warmup, repeats=args.repeats, min_sample_ms=args.min_sample_ms,
        mixed_checks=args.mixed_checks, glue_networks=args.glue_networks, seed=args.seed)
    save_latency_table(data, out)
    errors = parts_model_errors(data)
    from mmsgnas.cost.latency_lut import table_from_data
    table = table_from_data(data, space)
    print(f'{data["device_name"]}, torch {data["torch"]}, {data["threads"]} threads: fixed parts '
          f'{data["fixed"]["stem"]["median_ms"]:.3f} + {data["fixed"]["head"]["median_ms"]:.3f} '
          f'ms, glue {data["glue_ms"]:.3f} ms; networks of the space span '
          f'{table.min_cost():.3f}..{table.max_cost():.3f} ms')
    print('parts model vs whole-block timings: fitted blocks mean {fitted_mean_pct:.2f}% / max '
          '{fitted_max_pct:.2f}%'.format(**errors) +
          ('; mixed-kernel blocks (not fitted) mean {mixed_mean_pct:.2f}% / max '
           '{mixed_max_pct:.2f}% over {mixed_blocks}'.format(**errors) if 'mixed_mean_pct' in errors
           else ''))
    print(f'written to {os.path.abspath(out)}')
    return data


if __name__ == '__main__':
    main()
