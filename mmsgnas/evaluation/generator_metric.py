"""How well generated architectures meet their budgets, and how accurate they are."""
from typing import List, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from scipy import stats

from ..registry import METRICS


@METRICS.register_module()
class GeneratorMetric(BaseMetric):
    """Metrics of the architectures a generator makes for a grid of FLOPs targets.

    Reads the outputs of :meth:`GeneratorTrainer.predict` (per sample the labels predicted by
    every grid architecture; the grid itself once per evaluation) and reports, over the grid, for
    the plain argmax decoding (``raw_``) and after the projection onto the budget, side by side:
    ``raw_flops_error`` / ``flops_error``: mean |FLOPs - target| / target in %, and the
    ``max_`` of each; ``raw_kendall_tau`` / ``kendall_tau`` and ``raw_pearson`` / ``pearson``
    between targets and FLOPs; ``projected``: how many grid architectures the projection had to
    change, and ``projection_steps`` the changes in all; ``accuracy``: mean top-1 (%) of the
    (projected) grid architectures with inherited weights, ``accuracy_min`` / ``accuracy_max``;
    ``distinct_archs`` / ``raw_distinct_archs``: how many grid entries differ.
    """
    default_prefix = 'generator'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append(sample)

    def compute_metrics(self, results: List[dict]) -> dict:
        grids = [r['grid'] for r in results if 'grid' in r]
        if not grids:
            raise RuntimeError('GeneratorMetric: no validation grid among the outputs (the model '
                               'sends it with the first output of each evaluation)')
        grid = grids[0]
        targets = np.array(grid['targets'])
        labels = np.array([r['gt_label'] for r in results])
        predictions = np.array([r['pred_labels'] for r in results])   # [N, K]
        accuracy = 100.0 * (predictions == labels[:, None]).mean(axis=0)
        metrics = dict(accuracy=float(accuracy.mean()), accuracy_min=float(accuracy.min()),
                       accuracy_max=float(accuracy.max()),
                       projected=int(sum(s > 0 for s in grid['steps'])),
                       projection_steps=int(sum(grid['steps'])),
                       distinct_archs=len(set(grid['archs'])),
                       raw_distinct_archs=len(set(grid['raw_archs'])))
        for prefix, flops in (('raw_', grid['raw_flops']), ('', grid['flops'])):
            flops = np.array(flops)
            error = np.abs(flops - targets) / targets * 100
            metrics.update({
                f'{prefix}flops_error': float(error.mean()),
                f'max_{prefix}flops_error': float(error.max()),
                f'{prefix}kendall_tau': float(stats.kendalltau(targets, flops).statistic),
                f'{prefix}pearson': float(stats.pearsonr(targets, flops).statistic)})
        return metrics
