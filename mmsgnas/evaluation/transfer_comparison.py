"""The transfer comparison (paper Table 4): classifier pretraining, then RetinaNet, for several
backbones over several seeds, each step a subprocess of tools/train.py and tools/test.py that is
skipped when finished and resumed when interrupted; one table of mean ± sample std over the seeds.
The command is tools/analysis/compare_transfer.py."""
import os
import re
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from ..utils.tool_runs import REPO_ROOT as ROOT
from ..utils.tool_runs import options_list, train_and_test
from .harness.comparison import mean_std_ci

DEFAULT_BACKBONES = [
    ['sgnas', 'configs/demo/retrain_digits.py', 'configs/demo/retinanet_digits.py'],
    ['mobilenetv2', 'configs/demo/retrain_mobilenetv2_digits.py',
     'configs/demo/retinanet_mobilenetv2_digits.py'],
]
DET_KEYS = ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75')
CLS_KEY = 'accuracy/top1'
FLOPS_LINE = re.compile(r'Backbone only \((\w+)\): FLOPs \(M\) ([\d.]+), Params \(M\) ([\d.]+)')


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
    """The harness's mean, sample standard deviation (0 for one value) and t-interval of the
    mean, with min and max; ``dict(n=0)`` for no value."""
    if not values:
        return dict(n=0)
    return dict(mean_std_ci(values), min=min(values), max=max(values))


def fmt(summary: dict, scale: float = 1.0, digits: int = 3) -> str:
    if not summary.get('n'):
        return 'none finished'
    text = f'{summary["mean"] * scale:.{digits}f}'
    if summary['n'] > 1:
        text += f' ± {summary["std"] * scale:.{digits}f}'
    return text


def transfer_markdown(result: dict) -> str:
    """The table of :func:`run_transfer_comparison`'s result, with the differences to the first
    backbone judged against the seed spread, failed runs and the command."""
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


def run_transfer_comparison(backbones: Sequence[Sequence[str]], seeds: Sequence[int],
                            out_dir: str, dir_format: str = '{name}/seed{seed}/{stage}',
                            subnet: Optional[str] = None,
                            shape: Optional[Sequence[int]] = None, retrain_only: bool = False,
                            retrain_options: Optional[Dict[str, object]] = None,
                            detector_options: Optional[Dict[str, object]] = None,
                            command: str = '') -> dict:
    """Run or resume every step (as subprocesses of tools/train.py and tools/test.py), then
    summarise.

    Args:
        backbones: [name, retrain config, detector config] per backbone; the first is the
            reference of the differences.
        seeds: ``randomness.seed`` of every run.
        out_dir, dir_format: run folders ``out_dir/dir_format`` (fields name, seed, stage, tag).
        subnet: ``model.backbone.subnet`` of the configs whose backbone has that field.
        shape: [H, W] of the detection input for FLOPs (None: the reference detector's test
            Resize).
        retrain_only: stop after the classifiers (no detector, no FLOPs).
        retrain_options, detector_options: extra ``--cfg-options`` of every run of that stage.
        command: the command line recorded as "Reproduce".

    Returns:
        dict(seeds, shape, subnet, rows, command): per backbone its cost (MFLOPs, M params), the
        runs, and mean / sample std / min / max over the finished seeds of classifier top-1 (%),
        bbox mAP, mAP@50, mAP@75 and minutes per stage.
    """
    retrain_options = dict(retrain_options or {})
    detector_options = dict(detector_options or {})
    rows = []
    shape = shape or detection_shape(backbones[0][2])
    for index, (name, retrain_config, detector_config) in enumerate(backbones):
        subnet_option = {'model.backbone.subnet': subnet} if subnet else {}
        retrain_subnet = subnet_option if has_subnet(retrain_config) else {}
        detector_subnet = subnet_option if has_subnet(detector_config) else {}
        cost = None if retrain_only else backbone_cost(
            detector_config, shape, dict(detector_subnet, **detector_options))
        runs = []
        for seed in seeds:
            def folder(stage: str) -> str:
                return os.path.join(out_dir, dir_format.format(
                    name=name, seed=seed, stage=stage, tag='' if index == 0 else f'_{name}'))
            print(f'[compare_transfer] {name} seed {seed}: retraining ({retrain_config})',
                  flush=True)
            retrain = train_and_test(retrain_config, folder('retrain'), dict(
                retrain_subnet, **{'randomness.seed': seed}, **retrain_options))
            detector = None
            if retrain['status'] == 'done' and not retrain_only:
                print(f'[compare_transfer] {name} seed {seed}: detector ({detector_config})',
                      flush=True)
                detector = train_and_test(detector_config, folder('retinanet'), dict(
                    detector_subnet, **{'randomness.seed': seed,
                                        'model.backbone.init_cfg.checkpoint':
                                            retrain['checkpoint']},
                    **detector_options))
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
    return dict(seeds=list(seeds), shape=list(shape), subnet=subnet, rows=rows,
                command=command.strip())
