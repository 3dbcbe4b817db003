"""How well generated architectures meet their budgets, and how accurate they are."""
from typing import List, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from scipy import stats

from ..registry import METRICS


@METRICS.register_module()
class GeneratorMetric(BaseMetric):
    """Metrics of the architectures a generator makes for a grid of FLOPs targets.

    Reads the outputs of :meth:`GeneratorTrainer.predict` and reports, over the grid:
    ``flops_error``: mean |FLOPs - target| / target in % of the returned architectures (after
    projection onto the budget); ``raw_flops_error``: the same for plain argmax decoding;
    ``max_flops_error``; ``kendall_tau`` and ``pearson`` between targets and generated FLOPs,
    and ``raw_kendall_tau`` / ``raw_pearson`` for plain argmax decoding; ``accuracy``: mean top-1 (%) of the grid architectures with inherited weights,
    and ``accuracy_min`` / ``accuracy_max``; ``distinct_archs``: how many grid entries differ.
    """
    default_prefix = 'generator'

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append(sample)

    def compute_metrics(self, results: List[dict]) -> dict:
        targets = np.array(results[0]['targets'])
        flops = np.array(results[0]['flops'])
        raw = np.array(results[0]['raw_flops'])
        labels = np.array([r['gt_label'] for r in results])
        predictions = np.array([r['pred_labels'] for r in results])   # [N, K]
        accuracy = 100.0 * (predictions == labels[:, None]).mean(axis=0)
        error = np.abs(flops - targets) / targets * 100
        raw_error = np.abs(raw - targets) / targets * 100
        return dict(
            flops_error=float(error.mean()), max_flops_error=float(error.max()),
            raw_flops_error=float(raw_error.mean()),
            kendall_tau=float(stats.kendalltau(targets, flops).statistic),
            pearson=float(stats.pearsonr(targets, flops).statistic),
            raw_kendall_tau=float(stats.kendalltau(targets, raw).statistic),
            raw_pearson=float(stats.pearsonr(targets, raw).statistic),
            accuracy=float(accuracy.mean()), accuracy_min=float(accuracy.min()),
            accuracy_max=float(accuracy.max()),
            distinct_archs=len({str(a) for a in results[0]['archs']}))
