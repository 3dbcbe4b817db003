"""Generating subnets for many budgets with a trained generator, and writing them out."""
import csv
import io
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from typing import List, Optional, Sequence

import torch

from ..models import build_searched_classifier
from ..space import Arch, dump_subnet
from .checkpoint import load_model_weights


def load_generator(config, checkpoint: str):
    """Build the generator-training model of ``config`` (a path or a Config) and load a checkpoint
    it wrote (which holds the frozen supernet, the generator and the prior), in eval mode.

    The model gets the config's top-level ``data_preprocessor`` as the runner would give it. A
    missing file or a checkpoint of another model is refused with an error naming both.
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
    arch: Arch
    flops: float           # MFLOPs of the returned architecture
    raw_flops: float       # MFLOPs of plain argmax decoding
    params: float          # M parameters of the stand-alone classifier


def generate_subnets(model, targets: Sequence[float], tolerance: Optional[float] = 0.01,
                     extrapolate: bool = False) -> tuple:
    """All architectures in one batched forward of the generator.

    Returns (subnets, seconds): the list of :class:`GeneratedSubnet` and the wall time of the
    generation itself (forward + decoding + projection), without the parameter counting.
    """
    model.eval()
    start = time.perf_counter()
    archs = model.generate(targets, tolerance=tolerance, extrapolate=extrapolate)
    seconds = time.perf_counter() - start
    raw = model.generate(targets, tolerance=None, extrapolate=extrapolate)
    table, macro = model.cost_table, model.supernet.backbone.macro
    subnets = []
    for target, arch, raw_arch in zip(targets, archs, raw):
        with torch.device('meta'):
            classifier = build_searched_classifier(arch, macro, table.num_classes)
        params = sum(p.numel() for p in classifier.parameters()) / 1e6
        subnets.append(GeneratedSubnet(float(target), arch, table.arch_mflops(arch),
                                       table.arch_mflops(raw_arch), params))
    return subnets, seconds


def summary_rows(subnets: List[GeneratedSubnet]) -> List[dict]:
    return [dict(file=subnet_filename(i, s.constraint), constraint=round(s.constraint, 4),
                 flops=round(s.flops, 4), error_pct=round(100 * (s.flops - s.constraint) /
                                                          s.constraint, 3),
                 raw_flops=round(s.raw_flops, 4), params=round(s.params, 4),
                 expansions=' '.join(map(str, s.arch.expansions)))
            for i, s in enumerate(subnets)]


def subnet_filename(index: int, constraint: float) -> str:
    return f'subnet_{index:03d}_{constraint:.3f}M.yaml'


def write_generation(out_dir: str, subnets: List[GeneratedSubnet], metadata: dict) -> None:
    """Write one subnet file per constraint, summary.csv, summary.md and flops.png into
    ``out_dir``, atomically: everything goes to a temporary folder renamed into place."""
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.generation-', dir=parent)
    try:
        rows = summary_rows(subnets)
        for row, subnet in zip(rows, subnets):
            meta = dict(constraint=row['constraint'], flops=row['flops'], params=row['params'],
                        source='generator', **metadata)
            with open(os.path.join(tmp, row['file']), 'w') as f:
                f.write(dump_subnet(subnet.arch, meta))
        with open(os.path.join(tmp, 'summary.csv'), 'w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        with open(os.path.join(tmp, 'summary.md'), 'w') as f:
            f.write(markdown_table(rows))
        plot_flops(subnets, os.path.join(tmp, 'flops.png'))
        if os.path.exists(out_dir):
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
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


def plot_flops(subnets: List[GeneratedSubnet], path: str) -> None:
    """Target vs generated FLOPs (the paper's Fig. 7a), raw argmax decoding and final."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    targets = [s.constraint for s in subnets]
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot(targets, targets, color='gray', linestyle='--', label='target')
    ax.scatter(targets, [s.raw_flops for s in subnets], marker='x', label='argmax decoding')
    ax.scatter(targets, [s.flops for s in subnets], marker='s', facecolors='none',
               edgecolors='red', label='generated (projected)')
    ax.set_xlabel('target FLOPs (M)')
    ax.set_ylabel('generated FLOPs (M)')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
