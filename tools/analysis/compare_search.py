"""Compare search methods on one space: every chosen architecture judged alike, against a random
cloud (the harness of mmsgnas.evaluation.harness).

    python tools/analysis/compare_search.py CONFIG [--out-dir DIR] [--cfg-options k=v ...]

CONFIG holds ``comparison = dict(methods=..., judges=..., budgets=..., seeds=..., cloud=...)``;
see configs/compare/. Writes compare.json, compare.md and the plots into the out dir; search
loops resume from their states and judge scores are cached, so a rerun continues.
"""
import argparse

from mmengine.config import DictAction

from mmsgnas.evaluation import run_comparison


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--out-dir', help='default: comparison.out_dir of the config')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    result = run_comparison(args.config, args.cfg_options, args.out_dir)
    from mmsgnas.evaluation.harness.report import markdown
    print(markdown(result))
    return result


if __name__ == '__main__':
    main()
