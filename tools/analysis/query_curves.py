"""Query-mode search curves on NAS-Bench-201: several search loops x many seeds, by benchmark
look-up (mmsgnas.evaluation.query_curves).

    python tools/analysis/query_curves.py CONFIG [--runs N] [--out-dir DIR] [--cfg-options k=v ...]

CONFIG holds ``query_curves = dict(methods=..., searches=..., runs=..., max_queries=...)``; see
configs/nasbench201/query_curves_nb201.py. Writes curves.json, curves.md and one PNG per search
into the out dir; finished runs are kept in <out dir>/runs/, so a rerun continues and a larger
--runs extends them.
"""
import argparse

from mmengine.config import DictAction

from mmsgnas.evaluation.query_curves import markdown, run_query_curves


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--runs', type=int, help='runs per method and search (default: config)')
    parser.add_argument('--out-dir', help='default: query_curves.out_dir of the config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser.error(f'--runs must be >= 1, got {args.runs}')
    result = run_query_curves(args.config, args.cfg_options, args.out_dir, args.runs)
    print(markdown(result))
    return result


if __name__ == '__main__':
    main()
