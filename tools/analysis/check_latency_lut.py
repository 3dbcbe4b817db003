"""Hold a measured latency table against whole networks timed on the same device.

    python tools/analysis/check_latency_lut.py CONFIG [--table FILE] [--num 50] [--seed 1]
        [--against SECOND_TABLE] [--subnets NAME=DIR ...] [--flops-subnets NAME=DIR ...]
        [--out-dir DIR]
        [--warmup 10] [--repeats 30] [--min-sample-ms 2] [--cfg-options ...]

CONFIG is the generator config the table serves (its ``model.cost.table`` by default; the table is
refused if it was measured for another space, macro, input size or classes). ``--num`` random
architectures of the space are built as whole stand-alone classifiers and timed in one run, with
the table's device, threads and batch size; reported: predicted vs measured latency (mean and max
relative error, Pearson, Kendall tau), with and without the glue term, and how the parts model
compares with its direct whole-block timings. ``--against`` a second measurement of the same table
reports the run-to-run noise; ``--subnets NAME=DIR`` times the subnet files of a generation output
folder (tools/search.py) of a latency generator and reports their measured latency against their
targets (ms); ``--flops-subnets NAME=DIR`` times those of a FLOPs generator in the same run (their
targets are MFLOPs, so only the table's prediction is compared with the measurement). Writes
check.md, check.json and check.png into --out-dir (default: next to the table).
"""
import argparse
import glob
import os

from mmengine.config import Config, DictAction

from mmsgnas.cost.latency_lut import (check_context, compare_tables, parts_model_errors,
                                      read_latency_data, table_from_data)
from mmsgnas.cost.switch import latency_target_of
from mmsgnas.evaluation.latency_check import (check_random_networks, check_subnets,
                                              relative_errors, summary_line, write_check)
from mmsgnas.space import load_subnet


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--table', help='default: model.cost.table of the config')
    parser.add_argument('--num', type=int, default=50, help='random networks (0: none)')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--against', help='a second measurement of the same table (noise)')
    parser.add_argument('--subnets', nargs='+', default=[], metavar='NAME=DIR',
                        help='folders whose subnet files are timed (generation outputs, or '
                        'Single-Path NAS work dirs); their targets in ms are checked too')
    parser.add_argument('--flops-subnets', nargs='+', default=[], metavar='NAME=DIR',
                        help='generation output folders of a FLOPs generator, timed alongside')
    parser.add_argument('--out-dir')
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--repeats', type=int, default=30)
    parser.add_argument('--min-sample-ms', type=float, default=2.0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    for item in args.subnets + args.flops_subnets:
        if '=' not in item or not os.path.isdir(item.split('=', 1)[1]):
            parser.error(f'--subnets {item!r}: expected NAME=DIR with an existing folder')
    return args


def read_subnets(folder: str, space, targets_in_ms: bool = True) -> list:
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, '*.yaml'))):
        arch, meta = load_subnet(path, space)
        # a generator's file holds its constraint, a Single-Path NAS search's its target
        constraint = meta.get('constraint')
        if constraint is None and meta.get('unit') == 'ms':
            constraint = meta.get('target')
        rows.append(dict(arch=arch, constraint=constraint if targets_in_ms else None,
                         file=os.path.basename(path)))
    if not rows:
        raise SystemExit(f'{folder}: no subnet files (*.yaml)')
    return rows


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    target = latency_target_of(cfg)
    path = args.table or target['table']
    if not path:
        raise SystemExit(f'{args.config} names no latency table; give --table FILE')
    space = target['space']
    data = read_latency_data(path)
    check_context(data, space, target['input_size'], target['num_classes'], path,
                  target['network'])
    parts = parts_model_errors(data)
    results = []
    if args.num > 0:
        result = check_random_networks(data, space, args.num, args.seed, args.warmup,
                                       args.repeats, args.min_sample_ms)
        results.append(result)
        print(f'{args.num} random networks, table vs measured: {summary_line(result["summary"])}')
        print(f'  without glue: {summary_line(result["summary_without_glue"])}')
    if args.subnets or args.flops_subnets:
        groups = {item.split('=', 1)[0]: read_subnets(item.split('=', 1)[1], space)
                  for item in args.subnets}
        groups.update({item.split('=', 1)[0]: read_subnets(item.split('=', 1)[1], space, False)
                       for item in args.flops_subnets})
        result = check_subnets(data, space, groups, args.warmup, args.repeats,
                               args.min_sample_ms)
        results.append(result)
        for name, group in result['groups'].items():
            print(f'{name}: table vs measured: {summary_line(group["predicted_vs_measured"])}')
            if 'target_vs_measured' in group:
                print(f'  target vs measured: {summary_line(group["target_vs_measured"])}')
    noise = None
    if args.against:
        second = read_latency_data(args.against)
        check_context(second, space, target['input_size'], target['num_classes'], args.against,
                      target['network'])
        noise = compare_tables(data, second)
        if results and results[0]['kind'] == 'random':
            first_table, second_table = table_from_data(data, space), table_from_data(second,
                                                                                      space)
            archs = [space.from_text(r['arch']) for r in results[0]['rows']]
            noise['prediction'] = relative_errors([second_table.arch_cost(a) for a in archs],
                                                  [first_table.arch_cost(a) for a in archs])
        print('run-to-run: median |difference| {median_rel_diff_pct:.2f}%, max '
              '{max_rel_diff_pct:.2f}%; inside the first IQR {within_iqr}/{entries}, inside '
              'min..max {within_min_max}/{entries}'.format(**noise))
    out_dir = args.out_dir or os.path.join(os.path.dirname(os.path.abspath(path)),
                                           os.path.splitext(os.path.basename(path))[0] + '_check')
    write_check(out_dir, data, results, noise, parts)
    print(f'written to {out_dir}')


if __name__ == '__main__':
    main()
