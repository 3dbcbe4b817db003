"""The kernel-order study: supernets trained with 'positional' and with 'sorted' kernel sampling,
compared on the same stand-alone networks, over several training seeds.

Per order and seed, from a trained supernet and a generator trained on it:

- the accuracy distribution of one fixed set of random architectures (drawn once, so both orders
  score the same stand-alone networks; the 'sorted' supernet runs each one's sorted form);
- the generator's own budget error (argmax, no projection) over its constraint range, and the
  Kendall tau between targets and the raw MFLOPs it meets;
- where each raw generated network ranks among the random ones at equal MFLOPs: the percentile of
  its accuracy residual from the random set's least-squares line of accuracy on MFLOPs
  (100: above every random network, 50: an average one).

Between the orders it reports the Kendall tau of the two supernets' scores of the same networks.
"""
import math
import random
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from scipy import stats

from .harness.comparison import mean_std_ci

ORDERS = ('positional', 'sorted')


def reference_architectures(space, num: int, seed: int) -> List[Any]:
    """``num`` architectures drawn from the space's uniform sampling with ``random.Random(seed)``."""
    rng = random.Random(seed)
    return [space.sample(rng) for _ in range(num)]


def residual_percentile(random_flops: Sequence[float], random_scores: Sequence[float],
                        flops: float, score: float) -> float:
    """Percentile (0..100) of ``score`` among the random networks at ``flops`` MFLOPs.

    Fits score ~ a + b * MFLOPs on the random set (scipy's ``linregress``) and returns the share of
    random residuals below the given network's residual, ties counted half (``percentileofscore``
    with kind='mean').
    """
    fit = stats.linregress(random_flops, random_scores)
    residuals = np.asarray(random_scores) - (fit.intercept + fit.slope * np.asarray(random_flops))
    own = score - (fit.intercept + fit.slope * flops)
    return float(stats.percentileofscore(residuals, own, kind='mean'))


def raw_budget_error(targets: Sequence[float], raw_flops: Sequence[float]) -> Dict[str, float]:
    """Mean and max relative error (%) of the generator's raw MFLOPs against its targets, and the
    Kendall tau and Pearson r between the two."""
    targets, raw = np.asarray(targets, float), np.asarray(raw_flops, float)
    errors = np.abs(raw - targets) / targets * 100.0
    return dict(mean_error=float(errors.mean()), max_error=float(errors.max()),
                kendall_tau=float(stats.kendalltau(targets, raw)[0]),
                pearson=float(stats.pearsonr(targets, raw)[0]))


def run_summary(random_flops: Sequence[float], random_scores: Sequence[float],
                generated: Optional[Sequence[Dict[str, float]]] = None,
                targets: Optional[Sequence[float]] = None,
                raw_flops: Optional[Sequence[float]] = None,
                supernet_minutes: float = float('nan')) -> Dict[str, Any]:
    """Everything the study reports of one (order, seed) run.

    Args:
        random_flops, random_scores: MFLOPs and top-1 (%) of the reference architectures.
        generated: per scored budget a dict with ``target``, ``flops`` (raw MFLOPs) and ``score``
            (None for a run without a generator: its generator figures are NaN).
        targets, raw_flops: the generator's targets and raw MFLOPs over its whole range.
        supernet_minutes: wall time of the supernet's training (NaN when unknown).
    """
    random = dict(mean=float(np.mean(random_scores)), std=float(np.std(random_scores)),
                  min=float(np.min(random_scores)), max=float(np.max(random_scores)))
    if generated is None:
        nan = float('nan')
        return dict(random=random, generated_rank=nan, generated_ranks=[],
                    raw=dict(mean_error=nan, max_error=nan, kendall_tau=nan, pearson=nan),
                    supernet_minutes=float(supernet_minutes))
    ranks = [residual_percentile(random_flops, random_scores, g['flops'], g['score'])
             for g in generated]
    return dict(random=random, generated_rank=float(np.mean(ranks)), generated_ranks=ranks,
                raw=raw_budget_error(targets, raw_flops), supernet_minutes=float(supernet_minutes))


def summarise_study(runs: Dict[str, Dict[int, Dict[str, Any]]],
                    scores: Dict[str, Dict[int, List[float]]]) -> Dict[str, Any]:
    """Mean, standard deviation and 95 % interval over seeds of every figure, per order (over the
    seeds that have it: NaN values, e.g. the generator figures of a run without a generator, are
    left out), and the per-seed Kendall tau between the orders' scores of the same networks.

    Args:
        runs: ``runs[order][seed]`` as returned by :func:`run_summary`.
        scores: ``scores[order][seed]``: the reference networks' top-1 (%), in one fixed order.
    """
    figures = {
        'random_mean': lambda r: r['random']['mean'],
        'random_std': lambda r: r['random']['std'],
        'random_min': lambda r: r['random']['min'],
        'generated_rank': lambda r: r['generated_rank'],
        'raw_mean_error': lambda r: r['raw']['mean_error'],
        'raw_max_error': lambda r: r['raw']['max_error'],
        'raw_kendall_tau': lambda r: r['raw']['kendall_tau'],
        'supernet_minutes': lambda r: r.get('supernet_minutes', float('nan')),
    }
    def over_seeds(seeds, get):
        values = [get(run) for _, run in sorted(seeds.items())]
        values = [v for v in values if not math.isnan(v)]
        return mean_std_ci(values) if values else dict(mean=float('nan'), std=float('nan'),
                                                       ci=None, n=0, values=[])

    per_order = {order: {name: over_seeds(seeds, get) for name, get in figures.items()}
                 for order, seeds in runs.items() if seeds}
    between = {}
    if all(order in scores for order in ORDERS):
        common = sorted(set(scores[ORDERS[0]]) & set(scores[ORDERS[1]]))
        between = {seed: float(stats.kendalltau(scores[ORDERS[0]][seed],
                                                scores[ORDERS[1]][seed])[0]) for seed in common}
    return dict(per_order=per_order, tau_between_orders=between)


def markdown_report(summary: Dict[str, Any], seeds: Sequence[int], num_random: int,
                    test_images: int) -> str:
    """The study's table: one row per figure, one column per order (mean ± std over seeds)."""
    labels = [
        ('random_mean', f'random networks: mean top-1 (%), {num_random} networks'),
        ('random_std', 'random networks: spread (std, points)'),
        ('random_min', 'random networks: worst top-1 (%)'),
        ('generated_rank', 'generated networks: percentile among random at equal MFLOPs'),
        ('raw_mean_error', 'generator raw budget error: mean (%)'),
        ('raw_max_error', 'generator raw budget error: max (%)'),
        ('raw_kendall_tau', 'generator raw MFLOPs vs target: Kendall tau'),
        ('supernet_minutes', 'supernet training wall time (min; runs one after another, not '
                             'side by side)'),
    ]
    orders = [o for o in ORDERS if o in summary['per_order']]
    lines = [f'Seeds {", ".join(map(str, seeds))}; top-1 on the {test_images} test images after BN '
             'recalibration; mean ± std over the seeds that have the figure [values, by seed].', '',
             '| figure | ' + ' | '.join(orders) + ' |', '|---|' + '---|' * len(orders)]
    for key, label in labels:
        cells = []
        for order in orders:
            fig = summary['per_order'][order][key]
            values = ', '.join(f'{v:.2f}' for v in fig['values'])
            cells.append(f'{fig["mean"]:.2f} ± {fig["std"]:.2f} [{values}]')
        lines.append(f'| {label} | ' + ' | '.join(cells) + ' |')
    between = summary['tau_between_orders']
    if between:
        lines += ['', 'Kendall tau between the two supernets\' scores of the same networks, per seed: '
                  + ', '.join(f'seed {s}: {t:.3f}' for s, t in sorted(between.items()))]
    return '\n'.join(lines) + '\n'
