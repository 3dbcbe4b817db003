"""Generating subnets for many budgets with a trained generator, and writing them out."""
import csv
import io
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence

from mmengine.model import is_model_wrapper

from ..models import count_params
from ..space import dump_subnet
from .checkpoint import load_model_weights

#: marks a folder written by :func:`write_generation`; only such a folder is ever replaced
MARKER = 'generation.json'


class OutputFolderError(ValueError):
    """An output folder that holds something else than an earlier output of the same tool."""


def load_generator(config, checkpoint: str):
    """Build the generator-training model of ``config`` (a path or a Config) and load a checkpoint
    it wrote (which holds the frozen supernet, the generator, the prior and the settings it was
    trained with), in eval mode.

    The model gets the config's top-level ``data_preprocessor`` as the runner would give it. A
    missing file, a checkpoint of another model, or one trained with another constraint range,
    input size or space than the config says is refused with an error naming both.
    """
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope
    if not os.path.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    cfg.model.supernet_checkpoint = None  # the generator checkpoint holds the supernet too
    cfg.model.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(cfg.model)
    load_model_weights(model, checkpoint, getattr(cfg, 'filename', None) or 'the config')
    return model.eval()


@dataclass
class GeneratedSubnet:
    constraint: float      # target MFLOPs
    arch: Any              # after the projection onto the budget (the raw one without it)
    flops: float           # MFLOPs of ``arch``
    raw_arch: Any          # plain argmax decoding of the generator
    raw_flops: float       # MFLOPs of ``raw_arch``
    steps: int             # decisions the projection changed (0: the generator met the budget)
    params: float          # M parameters of the stand-alone classifier of ``arch``


def generate_subnets(model, targets: Sequence[float], tolerance: Optional[float] = 0.01,
                     extrapolate: bool = False) -> tuple:
    """All architectures in one batched forward of the generator.

    Returns (subnets, seconds): the list of :class:`GeneratedSubnet` and the wall time of the
    generation itself (forward + decoding + projection), without the parameter counting.
    """
    model = model.module if is_model_wrapper(model) else model
    model.eval()
    start = time.perf_counter()
    projections = model.generate(targets, tolerance=tolerance, extrapolate=extrapolate)
    seconds = time.perf_counter() - start
    table = model.cost_table
    subnets = [GeneratedSubnet(float(t), p.arch, p.cost, p.raw_arch, p.raw_cost, p.steps,
                               count_params(model.space, p.arch, table.num_classes))
               for t, p in zip(targets, projections)]
    return subnets, seconds


def summary_rows(subnets: List[GeneratedSubnet], space, unit: str = 'MFLOPs') -> List[dict]:
    """One row per target: raw (argmax) and projected costs (in ``unit``) and errors side by
    side."""
    def error(value: float, target: float) -> float:
        return round(100 * (value - target) / target, 3)

    return [dict(file=subnet_filename(i, s.constraint, unit), constraint=round(s.constraint, 4),
                 raw_flops=round(s.raw_flops, 4), raw_error_pct=error(s.raw_flops, s.constraint),
                 flops=round(s.flops, 4), error_pct=error(s.flops, s.constraint),
                 projection_steps=s.steps, params=round(s.params, 4),
                 arch=space.describe(s.arch))
            for i, s in enumerate(subnets)]


def subnet_filename(index: int, constraint: float, unit: str = 'MFLOPs') -> str:
    """``subnet_009_8.500M.yaml`` for 8.5 MFLOPs, ``subnet_009_78.300ms.yaml`` for 78.3 ms."""
    suffix = 'M' if unit == 'MFLOPs' else unit
    return f'subnet_{index:03d}_{constraint:.3f}{suffix}.yaml'


def check_replaceable(out_dir: str, marker: str = MARKER) -> None:
    """Refuse to replace ``out_dir`` unless it is absent, empty, or an earlier output (holds
    ``marker``)."""
    if not os.path.exists(out_dir):
        return
    if not os.path.isdir(out_dir):
        raise OutputFolderError(f'{out_dir} exists and is not a folder; choose another --out-dir')
    if os.listdir(out_dir) and not os.path.isfile(os.path.join(out_dir, marker)):
        raise OutputFolderError(
            f'{out_dir} exists and is not an earlier output of this tool (no {marker}); it is '
            'left untouched: choose another --out-dir or move it away')


def replace_folder(tmp: str, out_dir: str, marker: str = MARKER) -> None:
    """Move the finished folder ``tmp`` to ``out_dir``. An earlier output there is renamed aside
    first and removed only once the new one is in place; anything else there is refused."""
    check_replaceable(out_dir, marker)
    aside = None
    if os.path.exists(out_dir):
        aside = tempfile.mkdtemp(prefix=f'.{os.path.basename(out_dir)}.old-',
                                 dir=os.path.dirname(os.path.abspath(out_dir)))
        os.rmdir(aside)
        os.replace(out_dir, aside)
    try:
        os.replace(tmp, out_dir)
    except BaseException:
        if aside is not None:
            os.replace(aside, out_dir)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def write_generation(out_dir: str, subnets: List[GeneratedSubnet], metadata: dict,
                     space) -> None:
    """Write one subnet file per constraint, summary.csv, summary.md, flops.png and
    generation.json into ``out_dir``, atomically: everything goes to a temporary folder moved into
    place. An existing ``out_dir`` is replaced only if it is an earlier generation (checked before
    anything is written). ``metadata`` goes into every subnet file and generation.json; its
    ``unit`` (default MFLOPs; ms for a latency generator) is the unit of the ``flops`` and
    ``constraint`` fields and of the plot."""
    check_replaceable(out_dir)
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.generation-', dir=parent)
    try:
        rows = summary_rows(subnets, space, metadata.get('unit', 'MFLOPs'))
        for row, subnet in zip(rows, subnets):
            meta = dict(constraint=row['constraint'], flops=row['flops'], params=row['params'],
                        raw_flops=row['raw_flops'], projection_steps=row['projection_steps'],
                        source='generator', **metadata)
            with open(os.path.join(tmp, row['file']), 'w') as f:
                f.write(dump_subnet(subnet.arch, meta, space))
        with open(os.path.join(tmp, 'summary.csv'), 'w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        with open(os.path.join(tmp, 'summary.md'), 'w') as f:
            f.write(markdown_table(rows))
        with open(os.path.join(tmp, MARKER), 'w') as f:
            json.dump(dict(metadata, space=space.settings(), files=[r['file'] for r in rows]),
                      f, indent=1)
        plot_flops(subnets, os.path.join(tmp, 'flops.png'), metadata.get('unit', 'MFLOPs'))
        replace_folder(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def markdown_table(rows: List[dict]) -> str:
    out = io.StringIO()
    out.write('| ' + ' | '.join(rows[0]) + ' |\n')
    out.write('|' + '---|' * len(rows[0]) + '\n')
    for row in rows:
        out.write('| ' + ' | '.join(str(v) for v in row.values()) + ' |\n')
    return out.getvalue()


def plot_flops(subnets: List[GeneratedSubnet], path: str, unit: str = 'MFLOPs') -> None:
    """Target vs generated cost (the paper's Fig. 7a), raw argmax decoding and final."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    targets = [s.constraint for s in subnets]
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot(targets, targets, color='gray', linestyle='--', label='target')
    ax.scatter(targets, [s.raw_flops for s in subnets], marker='x', label='generator (argmax)')
    if any(s.steps for s in subnets):
        ax.scatter(targets, [s.flops for s in subnets], marker='s', facecolors='none',
                   edgecolors='red', label='after projection onto the budget')
    ax.set_xlabel(f'target ({unit})')
    ax.set_ylabel(f'generated ({unit})')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
