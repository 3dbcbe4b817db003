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
import re
import statistics
import subprocess
import sys
from typing import Dict, List, Sequence

from mmengine.config import Config, DictAction

from mmsgnas.utils import write_text_atomic
from mmsgnas.utils.tool_runs import REPO_ROOT as ROOT
from mmsgnas.utils.tool_runs import options_list, train_and_test

DEFAULT_BACKBONES = [
    ['sgnas', 'configs/demo/retrain_digits.py', 'configs/demo/retinanet_digits.py'],
    ['mobilenetv2', 'configs/demo/retrain_mobilenetv2_digits.py',
     'configs/demo/retinanet_mobilenetv2_digits.py'],
]
DET_KEYS = ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75')
CLS_KEY = 'accuracy/top1'
FLOPS_LINE = re.compile(r'Backbone only \((\w+)\): FLOPs \(M\) ([\d.]+), Params \(M\) ([\d.]+)')


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


def has_subnet(config: str) -> bool:
    """Whether the config's backbone is built from a subnet file."""
    return 'subnet' in Config.fromfile(config).model.get('backbone', {})


def detection_shape(config: str) -> List[int]:
    """[H, W] of the Resize in the detector's test pipeline."""
    cfg = Config.fromfile(config)
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'].split('.')[-1] == 'Resize':
            width, height = step['scale']
            return [height, width]
    raise ValueError(f'{config}: no Resize in the test pipeline; give --shape')


def backbone_cost(config: str, shape: Sequence[int], options: Dict[str, object]) -> dict:
    """Backbone FLOPs (M) and parameters (M) of a detector config, from tools/analysis/get_flops.py."""
    opts = options_list(options)
    args = [os.path.join(ROOT, 'tools/analysis/get_flops.py'), config, '--shape', *map(str, shape)]
    result = subprocess.run([sys.executable, *args] + (['--cfg-options', *opts] if opts else []),
                            capture_output=True, text=True)
    match = FLOPS_LINE.search(result.stdout)
    if result.returncode != 0 or match is None:
        raise RuntimeError(f'get_flops.py failed on {config}:\n{result.stdout[-2000:]}'
                           f'{result.stderr[-2000:]}')
    return dict(type=match.group(1), mflops=float(match.group(2)), mparams=float(match.group(3)),
                shape=list(shape))


def summarise(values: List[float]) -> dict:
    """Mean, sample standard deviation (0 for one value), min, max, n."""
    if not values:
        return dict(n=0)
    return dict(n=len(values), mean=statistics.fmean(values),
                std=statistics.stdev(values) if len(values) > 1 else 0.0,
                min=min(values), max=max(values), values=values)


def fmt(summary: dict, scale: float = 1.0, digits: int = 3) -> str:
    if not summary.get('n'):
        return 'none finished'
    text = f'{summary["mean"] * scale:.{digits}f}'
    if summary['n'] > 1:
        text += f' ± {summary["std"] * scale:.{digits}f}'
    return text


def markdown(result: dict) -> str:
    lines = [f'Transfer comparison over seeds {result["seeds"]} (mean ± sample std over the '
             f'seeds that finished); backbone FLOPs / params at the detection input '
             f'{result["shape"][0]}x{result["shape"][1]}; times per seed (classifier, detector, '
             'training + test).', '',
             '| backbone | FLOPs (M) | params (M) | classifier top-1 (%) | bbox mAP | mAP@50 | '
             'mAP@75 | finished | wall time (min) |', '|---|---|---|---|---|---|---|---|---|']
    for row in result['rows']:
        cost = row['backbone_cost']
        finished = f'{row["finished"]} / {len(result["seeds"])}'
        times = row['minutes']
        lines.append(
            f'| {row["name"]} ({cost["type"]}) | {cost["mflops"]:.2f} | {cost["mparams"]:.3f} | '
            f'{fmt(row["top1"], digits=2)} | {fmt(row["bbox_mAP"])} | {fmt(row["bbox_mAP_50"])} | '
            f'{fmt(row["bbox_mAP_75"])} | {finished} | '
            f'{fmt(times["retrain"], digits=1)} + {fmt(times["retinanet"], digits=1)} |')
    lines.append('')
    reference = result['rows'][0]
    for row in result['rows'][1:]:
        ratio = row['backbone_cost']['mflops'] / reference['backbone_cost']['mflops']
        lines.append(f'FLOPs of {row["name"]} / {reference["name"]}: {ratio:.3f}'
                     + ('' if abs(ratio - 1) <= 0.1 else ' (**not matched within 10 %**)') + '.')
        a, b = reference['bbox_mAP'], row['bbox_mAP']
        if a.get('n') and b.get('n'):
            diff = a['mean'] - b['mean']
            spread = max(a['std'], b['std'])
            if min(a['n'], b['n']) < 2:
                judgement = 'one seed: no spread to judge it against'
            else:
                verdict = 'larger than' if abs(diff) > spread else 'not larger than'
                judgement = f'{verdict} the larger seed std ({spread:.3f})'
            lines.append(f'bbox mAP {reference["name"]} - {row["name"]}: {diff:+.3f}, '
                         f'{judgement}.')
    for row in result['rows']:
        for run in row['runs']:
            for stage in ('retrain', 'retinanet'):
                step = run[stage]
                if step and step.get('status') == 'failed':
                    error = step['error'].strip().splitlines()[-1] if step.get('error') else ''
                    lines.append(f'- {row["name"]} seed {run["seed"]} {stage} **failed** '
                                 f'(`{step["log"]}`): {error}')
    lines += ['', f'Reproduce: `{result["command"]}`', '']
    return '\n'.join(lines)


def compare(args: argparse.Namespace) -> dict:
    """Run or resume every step, then summarise."""
    rows = []
    shape = args.shape or detection_shape(args.backbone[0][2])
    for index, (name, retrain_config, detector_config) in enumerate(args.backbone):
        subnet = {'model.backbone.subnet': args.subnet} if args.subnet else {}
        retrain_subnet = subnet if has_subnet(retrain_config) else {}
        detector_subnet = subnet if has_subnet(detector_config) else {}
        cost = None if args.retrain_only else backbone_cost(
            detector_config, shape, dict(detector_subnet, **args.detector_options))
        runs = []
        for seed in args.seeds:
            def folder(stage: str) -> str:
                return os.path.join(args.out_dir, args.dir_format.format(
                    name=name, seed=seed, stage=stage, tag='' if index == 0 else f'_{name}'))
            print(f'[compare_transfer] {name} seed {seed}: retraining ({retrain_config})',
                  flush=True)
            retrain = train_and_test(retrain_config, folder('retrain'), dict(
                retrain_subnet, **{'randomness.seed': seed}, **args.retrain_options))
            detector = None
            if retrain['status'] == 'done' and not args.retrain_only:
                print(f'[compare_transfer] {name} seed {seed}: detector ({detector_config})',
                      flush=True)
                detector = train_and_test(detector_config, folder('retinanet'), dict(
                    detector_subnet, **{'randomness.seed': seed,
                                        'model.backbone.init_cfg.checkpoint':
                                            retrain['checkpoint']},
                    **args.detector_options))
            for step_name, step in (('retrain', retrain), ('retinanet', detector)):
                if step is not None:
                    print(f'[compare_transfer] {name} seed {seed} {step_name}: {step["status"]}'
                          + (' (done before)' if step.get('skipped') else ''), flush=True)
            runs.append(dict(seed=seed, retrain=retrain, retinanet=detector))
        done = [r for r in runs if r['retinanet'] and r['retinanet']['status'] == 'done']
        rows.append(dict(
            name=name, retrain_config=retrain_config, detector_config=detector_config,
            backbone_cost=cost, finished=len(done), runs=runs,
            top1=summarise([r['retrain']['metrics'][CLS_KEY] for r in runs
                            if r['retrain']['status'] == 'done']),
            # mmdet's CocoMetric returns no keys when a detector made no detection at all
            **{key.split('/')[1]: summarise([r['retinanet']['metrics'][key] for r in done
                                             if key in r['retinanet']['metrics']])
               for key in DET_KEYS},
            minutes={stage: summarise([r[stage]['seconds'] / 60 for r in runs
                                       if r[stage] and r[stage]['status'] == 'done'])
                     for stage in ('retrain', 'retinanet')}))
    command = 'python tools/analysis/compare_transfer.py ' + ' '.join(sys.argv[1:])
    return dict(seeds=args.seeds, shape=list(shape), subnet=args.subnet, rows=rows,
                command=command.strip())


def main(argv=None) -> dict:
    args = parse_args(argv)
    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    os.makedirs(args.out_dir, exist_ok=True)
    result = compare(args)
    if args.retrain_only:
        failed = [f'{row["name"]} seed {run["seed"]}: {run["retrain"]["log"]}'
                  for row in result['rows'] for run in row['runs']
                  if run['retrain']['status'] == 'failed']
        if failed:
            raise SystemExit(f'compare_transfer: retraining failed: {"; ".join(failed)}')
        return result
    write_text_atomic(os.path.join(args.out_dir, 'compare_transfer.json'),
                      json.dumps(result, indent=1))
    text = markdown(result)
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
