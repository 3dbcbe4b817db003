"""mAP against budget for the detectors emitted from a generation (the runs that finished).

    python tools/analysis/plot_detector_budgets.py GENERATION_DIR [--name retinanet]
        [--metric coco/bbox_mAP]

Reads GENERATION_DIR/<name>_runs.json and each run's test_metrics.json; writes
GENERATION_DIR/<name>_map_vs_budget.png and .md.
"""
import argparse
import os.path as osp

from mmsgnas.engine.detector_configs import collect_detector_results, plot_detector_results
from mmsgnas.utils import write_text_atomic


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('generation_dir')
    parser.add_argument('--name', default='retinanet')
    parser.add_argument('--metric', default='coco/bbox_mAP')
    args = parser.parse_args(argv)
    rows = collect_detector_results(args.generation_dir, args.name, args.metric)
    if not rows:
        raise SystemExit(f'no finished runs yet: run bash {args.generation_dir}/train_{args.name}.sh')
    stem = osp.join(args.generation_dir, f'{args.name}_map_vs_budget')
    plot_detector_results(rows, stem + '.png', args.metric)
    lines = [f'| budget (MFLOPs) | subnet MFLOPs | {args.metric} | config |', '|---|---|---|---|']
    lines += [f'| {r["constraint"]} | {r["flops"]} | {r["value"]:.3f} | {r["config"]} |'
              for r in rows]
    write_text_atomic(stem + '.md', '\n'.join(lines) + '\n')
    print('\n'.join(lines))
    print(f'wrote {stem}.png and {stem}.md')
    return rows


if __name__ == '__main__':
    main()
