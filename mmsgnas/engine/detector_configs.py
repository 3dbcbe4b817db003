"""Detector configs for every subnet of a generation, and one script that trains and tests them.

A generation (``tools/search.py ... --out-dir DIR``) holds one subnet file per budget. For each,
:func:`emit_detector_configs` writes ``DIR/<detector>_<subnet stem>.py``, a config that inherits a
RetinaNet config of the project and sets only the backbone's subnet and its initial checkpoint,
and ``DIR/train_<detector>.sh``, which trains and tests them all with ``tools/train.py`` /
``tools/test.py`` (or ``tools/dist_train.sh`` / ``tools/dist_test.sh`` when ``GPUS`` > 1), each
run in its own work dir, resumable, with its metrics in ``<work dir>/test_metrics.json``.
"""
import glob
import json
import os
import os.path as osp
import re
import shlex
from dataclasses import dataclass
from typing import List, Optional

from ..space import load_subnet
from ..space.spec import SPACE_NAME
from ..utils import write_text_atomic

SUBNET_PATTERN = 'subnet_*.yaml'
METRICS_FILE = 'test_metrics.json'


@dataclass(frozen=True)
class EmittedDetector:
    """One emitted config: its path, the subnet file it names and the subnet's budget (MFLOPs)."""
    config: str
    subnet: str
    constraint: Optional[float]
    flops: Optional[float]
    work_dir: str


def _checkpoint_for(template: Optional[str], stem: str, constraint: Optional[float]) -> Optional[str]:
    if not template:
        return None
    try:
        return template.format(stem=stem, constraint=constraint)
    except (KeyError, IndexError) as err:
        raise ValueError(f'--init-checkpoint {template!r}: only the fields {{stem}} and '
                         f'{{constraint}} are known ({err})') from None


def _config_text(base_rel: str, subnet_name: str, checkpoint: Optional[str], base: str,
                 meta: dict, generation_dir: str) -> str:
    budget = meta.get('constraint')
    lines = [
        f'# RetinaNet with the generated subnet {subnet_name}',
        f'# (budget {budget} MFLOPs; the subnet has {meta.get("flops")} MFLOPs at the search input),',
        f'# emitted by tools/emit_detector_configs.py from {generation_dir}.',
        f'# Everything but the backbone\'s subnet and initial weights comes from {base}.',
        f'_base_ = [{base_rel!r}]',
        '',
        f"subnet = '{{{{ fileDirname }}}}/{subnet_name}'",
    ]
    if checkpoint:
        lines += [f'backbone_checkpoint = {checkpoint!r}   # the retrained classifier of this subnet',
                  '',
                  'model = dict(backbone=dict(',
                  '    subnet=subnet,',
                  "    init_cfg=dict(type='Pretrained', checkpoint=backbone_checkpoint, "
                  "prefix='backbone.')))"]
    else:
        lines += ['# No initial checkpoint was given: the backbone starts from random weights. Set it',
                  '# to the retrained classifier of this subnet (tools/train.py on a retrain config)',
                  "# with --cfg-options model.backbone.init_cfg.type=Pretrained "
                  "model.backbone.init_cfg.checkpoint=... model.backbone.init_cfg.prefix=backbone.",
                  'backbone_checkpoint = None',
                  '',
                  'model = dict(backbone=dict(subnet=subnet, init_cfg=None))']
    return '\n'.join(lines) + '\n'


def _script_text(detector: str, emitted: List[EmittedDetector], repo_rel: str) -> str:
    runs = '\n'.join(f'run {shlex.quote(osp.basename(e.config))} {shlex.quote(e.work_dir)}'
                     for e in emitted)
    return f'''#!/usr/bin/env bash
# Train and test the {detector} of every subnet of this generation ({len(emitted)} configs), one
# after the other, each in its own work dir (an interrupted run resumes from its last checkpoint;
# a finished one, with {METRICS_FILE}, is skipped). Emitted by tools/emit_detector_configs.py.
#
#   bash {osp.join('<generation dir>', f'train_{detector}.sh')}                  # one process (CPU or one GPU)
#   GPUS=8 bash {osp.join('<generation dir>', f'train_{detector}.sh')}           # tools/dist_train.sh, 8 GPUs
#   EXTRA="train_cfg.max_epochs=1" bash ...    # extra --cfg-options for every run
#
# Then: python tools/analysis/plot_detector_budgets.py <generation dir>  (mAP against budget)
set -euo pipefail
here="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
cd "$here/{repo_rel}"
GPUS="${{GPUS:-1}}"
py="${{PYTHON:-python}}"
[ -x .venv/bin/python ] && [ -z "${{PYTHON:-}}" ] && py=.venv/bin/python
opts=()
[ -n "${{EXTRA:-}}" ] && read -r -a extra <<< "$EXTRA" && opts=(--cfg-options "${{extra[@]}}")

run() {{  # $1: config file name (in this folder), $2: work dir
  local config="$here/$1" work_dir="$2"
  if [ -f "$work_dir/{METRICS_FILE}" ]; then echo "skipped: $work_dir/{METRICS_FILE} exists"; return; fi
  if [ "$GPUS" -gt 1 ]; then
    bash tools/dist_train.sh "$config" "$GPUS" --work-dir "$work_dir" --resume ${{opts[@]+"${{opts[@]}}"}}
    bash tools/dist_test.sh "$config" "$(cat "$work_dir/last_checkpoint")" "$GPUS" \\
      --work-dir "$work_dir/test" --metrics-out "$work_dir/{METRICS_FILE}" ${{opts[@]+"${{opts[@]}}"}}
  else
    "$py" tools/train.py "$config" --work-dir "$work_dir" --resume ${{opts[@]+"${{opts[@]}}"}}
    "$py" tools/test.py "$config" "$(cat "$work_dir/last_checkpoint")" \\
      --work-dir "$work_dir/test" --metrics-out "$work_dir/{METRICS_FILE}" ${{opts[@]+"${{opts[@]}}"}}
  fi
}}

{runs}
'''


def emit_detector_configs(generation_dir: str, base_config: str, detector: str = 'retinanet',
                          init_checkpoint: Optional[str] = None,
                          work_root: Optional[str] = None,
                          repo_root: Optional[str] = None) -> List[EmittedDetector]:
    """Write a detector config per subnet file of ``generation_dir`` and the script that runs them.

    Args:
        generation_dir: a folder written by ``tools/search.py`` (it has ``generation.json``).
        base_config: the detector config to inherit (its ``model.backbone`` must be a
            ``SearchedMobileNet``), e.g. ``configs/retinanet/retinanet_sgnas_fpn_1x_coco.py``.
        detector: name used in file names (``<detector>_<subnet stem>.py``).
        init_checkpoint: path template of each backbone's initial checkpoint, with the fields
            ``{stem}`` (subnet file name without extension) and ``{constraint}`` (its budget);
            None leaves the backbones randomly initialised (the config says how to set it).
        work_root: where the script puts the runs (default ``<generation_dir>/<detector>``);
            the run of each subnet goes to ``<work_root>/<subnet file stem>``.
        repo_root: the project folder the script runs the tools from (default: the current one).

    Returns:
        the emitted configs, in budget order.
    """
    generation_dir = osp.abspath(generation_dir)
    if not osp.isfile(osp.join(generation_dir, 'generation.json')):
        raise FileNotFoundError(f'{generation_dir} is not a generation output (no generation.json); '
                                'write one with tools/search.py CONFIG CHECKPOINT --out-dir DIR')
    if not re.fullmatch(r'[A-Za-z0-9_]+', detector):
        raise ValueError(f'detector name {detector!r}: use letters, digits and _ only')
    base_config = osp.abspath(base_config)
    if not osp.isfile(base_config):
        raise FileNotFoundError(f'base config {base_config} does not exist')
    _check_backbone(base_config)
    subnets = sorted(glob.glob(osp.join(generation_dir, SUBNET_PATTERN)))
    if not subnets:
        raise FileNotFoundError(f'{generation_dir} holds no {SUBNET_PATTERN} files')
    repo_root = osp.abspath(repo_root or os.getcwd())
    work_root = osp.abspath(work_root or osp.join(generation_dir, detector))
    base_rel = osp.relpath(base_config, generation_dir)
    emitted = []
    texts = {}
    for subnet in subnets:
        stem = osp.splitext(osp.basename(subnet))[0]
        _, meta = load_subnet(subnet)   # refuses a malformed file before anything is written
        if meta['space'] != SPACE_NAME:
            raise ValueError(f'{subnet}: a subnet of the space "{meta["space"]}"; detector '
                             f'configs need the unified space ("{SPACE_NAME}")')
        checkpoint = _checkpoint_for(init_checkpoint, stem, meta.get('constraint'))
        config = osp.join(generation_dir, f'{detector}_{stem}.py')
        texts[config] = _config_text(base_rel, osp.basename(subnet), checkpoint,
                                     _shown(base_config, repo_root), meta,
                                     _shown(generation_dir, repo_root))
        emitted.append(EmittedDetector(
            config=config, subnet=subnet, constraint=meta.get('constraint'),
            flops=meta.get('flops'), work_dir=_shown(osp.join(work_root, stem), repo_root)))
    emitted.sort(key=lambda e: (e.constraint is None, e.constraint or 0.0, e.config))
    script = osp.join(generation_dir, f'train_{detector}.sh')
    texts[script] = _script_text(detector, emitted, osp.relpath(repo_root, generation_dir))
    for path, text in texts.items():   # everything validated before anything is written
        write_text_atomic(path, text)
    os.chmod(script, 0o755)
    index = [dict(config=osp.basename(e.config), subnet=osp.basename(e.subnet),
                  constraint=e.constraint, flops=e.flops, work_dir=e.work_dir) for e in emitted]
    write_text_atomic(osp.join(generation_dir, f'{detector}_runs.json'),
                      json.dumps(dict(base_config=osp.relpath(base_config, repo_root),
                                      detector=detector, runs=index), indent=1) + '\n')
    return emitted


def _shown(path: str, repo_root: str) -> str:
    """``path`` relative to the project folder when inside it (the script runs from there)."""
    relative = osp.relpath(path, repo_root)
    return path if relative.startswith('..') else relative


def _check_backbone(base_config: str) -> None:
    from mmengine.config import Config
    cfg = Config.fromfile(base_config)
    backbone = cfg.get('model', {}).get('backbone', {})
    if 'SearchedMobileNet' not in str(backbone.get('type', '')):
        raise ValueError(f'{base_config}: model.backbone.type is {backbone.get("type")!r}, not '
                         'mmsgnas.SearchedMobileNet; emitted configs only set a subnet')


def collect_detector_results(generation_dir: str, detector: str = 'retinanet',
                             metric: str = 'coco/bbox_mAP') -> List[dict]:
    """The runs of ``<generation_dir>/<detector>_runs.json`` that have metrics, in budget order:
    dicts with constraint, flops (MFLOPs of the subnet at the search input), the metric's value
    and the config name. Work dirs are read relative to the current folder (the project folder,
    where the script runs)."""
    index_path = osp.join(generation_dir, f'{detector}_runs.json')
    if not osp.isfile(index_path):
        raise FileNotFoundError(f'{index_path} not found: emit the configs first '
                                '(tools/emit_detector_configs.py)')
    with open(index_path) as f:
        runs = json.load(f)['runs']
    rows = []
    for run in runs:
        path = osp.join(run['work_dir'], METRICS_FILE)
        if not osp.isfile(path):
            continue
        with open(path) as f:
            metrics = json.load(f)['metrics']     # as tools/test.py --metrics-out writes it
        if metric not in metrics:
            raise KeyError(f'{path} has no {metric!r} (it has: {", ".join(sorted(metrics))})')
        rows.append(dict(config=run['config'], constraint=run['constraint'], flops=run['flops'],
                         value=float(metrics[metric])))
    return rows


def plot_detector_results(rows: List[dict], out_png: str, metric: str = 'coco/bbox_mAP',
                          title: str = '') -> None:
    """mAP against the generated subnet's FLOPs (one point per finished run)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.6))
    xs = [r['flops'] if r['flops'] is not None else r['constraint'] for r in rows]
    ax.plot(xs, [r['value'] for r in rows], 'o-')
    ax.set_xlabel('subnet MFLOPs at the search input')
    ax.set_ylabel(metric)
    ax.set_title(title or f'{len(rows)} detectors, one per generated budget')
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_png, dpi=120)
    plt.close(fig)
