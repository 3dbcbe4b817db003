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
When the first reference networks were also trained from scratch (one short identical recipe), it
reports, per run, the Kendall tau between the supernet's scores of them and their from-scratch
accuracy: how far the one-shot ranking can be trusted.
"""
import math
import random
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from scipy import stats

from .harness.comparison import kendall_spearman, mean_std_ci

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


def oneshot_fidelity(oneshot_scores: Sequence[float],
                     scratch_scores: Sequence[float]) -> Dict[str, float]:
    """Kendall tau and Spearman rho between one-shot scores and from-scratch accuracies of the
    same networks (the first ``len(scratch_scores)`` of ``oneshot_scores``), and their number."""
    n = len(scratch_scores)
    if n < 3 or len(oneshot_scores) < n:
        raise ValueError(f'need >= 3 from-scratch scores and as many one-shot ones, got {n} and '
                         f'{len(oneshot_scores)}')
    corr = kendall_spearman(list(oneshot_scores[:n]), list(scratch_scores))
    return dict(kendall_tau=corr['kendall'], spearman=corr['spearman'], n=n)


def run_summary(random_flops: Sequence[float], random_scores: Sequence[float],
                generated: Optional[Sequence[Dict[str, float]]] = None,
                targets: Optional[Sequence[float]] = None,
                raw_flops: Optional[Sequence[float]] = None,
                supernet_minutes: float = float('nan'),
                scratch_scores: Optional[Sequence[float]] = None) -> Dict[str, Any]:
    """Everything the study reports of one (order, seed) run.

    Args:
        random_flops, random_scores: MFLOPs and top-1 (%) of the reference architectures.
        generated: per scored budget a dict with ``target``, ``flops`` (raw MFLOPs) and ``score``
            (None for a run without a generator: its generator figures are NaN).
        targets, raw_flops: the generator's targets and raw MFLOPs over its whole range.
        supernet_minutes: wall time of the supernet's training (NaN when unknown).
        scratch_scores: from-scratch top-1 (%) of the first reference architectures (None: the
            one-shot fidelity figures are NaN).
    """
    nan = float('nan')
    random = dict(mean=float(np.mean(random_scores)), std=float(np.std(random_scores)),
                  min=float(np.min(random_scores)), max=float(np.max(random_scores)))
    fidelity = (oneshot_fidelity(random_scores, scratch_scores) if scratch_scores
                else dict(kendall_tau=nan, spearman=nan, n=0))
    summary = dict(random=random, supernet_minutes=float(supernet_minutes), scratch=fidelity)
    if generated is None:
        return dict(summary, generated_rank=nan, generated_ranks=[],
                    raw=dict(mean_error=nan, max_error=nan, kendall_tau=nan, pearson=nan))
    ranks = [residual_percentile(random_flops, random_scores, g['flops'], g['score'])
             for g in generated]
    return dict(summary, generated_rank=float(np.mean(ranks)), generated_ranks=ranks,
                raw=raw_budget_error(targets, raw_flops))


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
        'scratch_tau': lambda r: r.get('scratch', {}).get('kendall_tau', float('nan')),
        'scratch_spearman': lambda r: r.get('scratch', {}).get('spearman', float('nan')),
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
                    test_images: int, scratch: Optional[Dict[str, Any]] = None) -> str:
    """The study's table: one row per figure, one column per order (mean ± std over seeds).

    Args:
        scratch: the from-scratch set, when trained: ``scores`` (top-1 %), ``flops`` (MFLOPs) of
            the first reference networks, ``epochs``, ``config`` and ``images`` (None: all) of
            their recipe, and optionally ``seeds`` with ``seed_scores``: network 0 under each
            training seed (the recipe's seed noise). Its line
            also gives the Kendall tau of MFLOPs alone against the from-scratch top-1: the
            ranking a supernet must beat to be worth its training.
    """
    labels = [
        ('random_mean', f'random networks: mean top-1 (%), {num_random} networks'),
        ('random_std', 'random networks: spread (std, points)'),
        ('random_min', 'random networks: worst top-1 (%)'),
        ('generated_rank', 'generated networks: percentile among random at equal MFLOPs'),
        ('raw_mean_error', 'generator raw budget error: mean (%)'),
        ('raw_max_error', 'generator raw budget error: max (%)'),
        ('raw_kendall_tau', 'generator raw MFLOPs vs target: Kendall tau'),
        ('scratch_tau', 'one-shot vs from-scratch top-1 of the same networks: Kendall tau'),
        ('scratch_spearman', 'one-shot vs from-scratch top-1: Spearman rho'),
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
    if scratch:
        values, flops = scratch['scores'], scratch['flops']
        flops_tau = stats.kendalltau(flops, values)[0]
        images = scratch.get('images')
        data = 'all training images' if images is None else f'the first {images} training images'
        lines += ['', f'From scratch: the first {len(values)} reference networks '
                  f'({min(flops):.2f}..{max(flops):.2f} MFLOPs), {scratch["epochs"]} epochs of '
                  f'{scratch["config"]} on {data}, seed {scratch.get("seeds", [0])[0]}: top-1 '
                  f'{np.mean(values):.2f} ± {np.std(values):.2f} '
                  f'({min(values):.2f}..{max(values):.2f}). MFLOPs alone vs from-scratch top-1: '
                  f'Kendall tau {flops_tau:.3f}.']
        seed_scores = scratch.get('seed_scores') or []
        if len(seed_scores) > 1:
            lines.append(f'Seed noise of that recipe: reference network 0 under seeds '
                         f'{", ".join(map(str, scratch["seeds"]))}: '
                         f'{", ".join(f"{v:.2f}" for v in seed_scores)} (std '
                         f'{np.std(seed_scores, ddof=1):.2f}).')
    return '\n'.join(lines) + '\n'
