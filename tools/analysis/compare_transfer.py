"""Transfer comparison (paper Table 4): classifier pretraining, then RetinaNet, for several
backbones over several seeds, through tools/train.py and tools/test.py; one table.

    python tools/analysis/compare_transfer.py [--subnet SUBNET.yaml] [--seeds 0 1 2]
        [--backbone NAME RETRAIN_CONFIG DETECTOR_CONFIG ...] [--out-dir work_dirs/compare_transfer]
        [--dir-format '{name}/seed{seed}/{stage}'] [--shape H W]
        [--retrain-options k=v ...] [--detector-options k=v ...] [--retrain-only]

By default it compares the searched network (configs/demo/retrain_digits.py,
configs/demo/retinanet_digits.py) with mmpretrain's MobileNetV2 at matched FLOPs
(configs/demo/retrain_mobilenetv2_digits.py, configs/demo/retinanet_mobilenetv2_digits.py) on the
digits sets. For every backbone and seed (``randomness.seed``) it runs, as subprocesses:

1. ``tools/train.py RETRAIN_CONFIG --resume`` and ``tools/test.py`` on its last checkpoint
   (classifier top-1 on the test split);
2. ``tools/train.py DETECTOR_CONFIG --resume`` with the backbone initialised from that checkpoint
   (``model.backbone.init_cfg.checkpoint``), and ``tools/test.py`` (bbox mAP on the val split).

A step whose ``test_metrics.json`` exists is skipped and an interrupted training resumes from its
last checkpoint, so rerunning the command continues where it stopped. A training that stops with
an error (e.g. mmdet's CheckInvalidLossHook on a NaN loss) is recorded as failed, with its log,
and the other runs go on. ``--subnet`` sets ``model.backbone.subnet`` of the configs whose backbone
has a ``subnet`` field. Backbone FLOPs and parameters at the detection input (``--shape``, by
default the size of the detector's test Resize) come from ``tools/analysis/get_flops.py``.

Run folders: ``<out-dir>/<dir-format>`` with the fields ``name``, ``seed``, ``stage`` (``retrain``
or ``retinanet``) and ``tag`` (empty for the first backbone, ``_<name>`` for the others: the main
job uses ``--dir-format '{stage}{tag}'`` for its seed-0 runs). Writes ``compare_transfer.json``
and ``compare_transfer.md`` in ``--out-dir``: per backbone the FLOPs and parameters, classifier
top-1, bbox mAP / mAP@50 / mAP@75 as mean and sample standard deviation over the seeds that
finished, and wall times.
"""
import argparse
import json
import os
import sys

from mmengine.config import DictAction

from mmsgnas.evaluation.transfer_comparison import (DEFAULT_BACKBONES, run_transfer_comparison,
                                                    transfer_markdown)
from mmsgnas.utils import write_text_atomic


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--backbone', nargs=3, action='append',
                        metavar=('NAME', 'RETRAIN_CONFIG', 'DETECTOR_CONFIG'),
                        help='a backbone to compare (repeat); the first is the reference. '
                        'Default: the digits SGNAS and MobileNetV2 configs')
    parser.add_argument('--subnet', help='subnet file for configs with a `subnet` field')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--out-dir', default='work_dirs/compare_transfer')
    parser.add_argument('--dir-format', default='{name}/seed{seed}/{stage}',
                        help='run folder under --out-dir; fields name, seed, stage, tag')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='detection input for FLOPs (default: the test Resize scale)')
    parser.add_argument('--retrain-only', action='store_true',
                        help='run (or resume) only the classifier pretraining; no table')
    parser.add_argument('--retrain-options', nargs='+', action=DictAction, default={},
                        help='extra --cfg-options of every classifier training and test')
    parser.add_argument('--detector-options', nargs='+', action=DictAction, default={},
                        help='extra --cfg-options of every detector training and test')
    args = parser.parse_args(argv)
    args.backbone = args.backbone or DEFAULT_BACKBONES
    names = [b[0] for b in args.backbone]
    if len(set(names)) != len(names):
        parser.error(f'backbone names must differ: {names}')
    if len(args.seeds) != len(set(args.seeds)):
        parser.error(f'--seeds has repeats: {args.seeds}')
    try:
        dirs = {args.dir_format.format(name=n, seed=s, stage=st, tag='' if i == 0 else f'_{n}')
                for i, n in enumerate(names) for s in args.seeds
                for st in ('retrain', 'retinanet')}
    except (KeyError, IndexError) as error:
        parser.error(f'--dir-format {args.dir_format!r}: unknown field {error}')
    if len(dirs) != 2 * len(names) * len(args.seeds):
        parser.error(f'--dir-format {args.dir_format!r} gives the same folder to two runs')
    for _, *configs in args.backbone:
        for config in configs:
            if not os.path.isfile(config):
                parser.error(f'config not found: {config}')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    command = 'python tools/analysis/compare_transfer.py ' + ' '.join(
        sys.argv[1:] if argv is None else argv)
    os.makedirs(args.out_dir, exist_ok=True)
    result = run_transfer_comparison(
        args.backbone, args.seeds, args.out_dir, args.dir_format, subnet=args.subnet,
        shape=args.shape, retrain_only=args.retrain_only, retrain_options=args.retrain_options,
        detector_options=args.detector_options, command=command)
    if args.retrain_only:
        failed = [f'{row["name"]} seed {run["seed"]}: {run["retrain"]["log"]}'
                  for row in result['rows'] for run in row['runs']
                  if run['retrain']['status'] == 'failed']
        if failed:
            raise SystemExit(f'compare_transfer: retraining failed: {"; ".join(failed)}')
        return result
    write_text_atomic(os.path.join(args.out_dir, 'compare_transfer.json'),
                      json.dumps(result, indent=1))
    text = transfer_markdown(result)
    write_text_atomic(os.path.join(args.out_dir, 'compare_transfer.md'), text)
    print(text)
    failed = [f'{row["name"]} seed {run["seed"]} {stage}' for row in result['rows']
              for run in row['runs'] for stage in ('retrain', 'retinanet')
              if run[stage] and run[stage]['status'] == 'failed']
    if failed:
        raise SystemExit(f'compare_transfer: {len(failed)} run(s) failed: {", ".join(failed)} '
                         f'(logs in the table above)')
    return result


if __name__ == '__main__':
    main()
