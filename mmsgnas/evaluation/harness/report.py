"""Tables and plots of a comparison result (the dict :class:`SearchComparison` writes)."""
import statistics
from typing import List, Optional, Sequence, Tuple

import numpy as np


def _budget(row: dict, unit: str) -> str:
    text = 'none' if row['budget'] is None else f'{row["budget"]:.3f}'
    if row.get('landed'):
        text += f' ({row["landed"]["method"]} seed {row["landed"]["seed"]})'
    return text


def _absent(row: dict, method: str) -> str:
    """The cell of a method with no choice at a row's budget."""
    return 'skipped' if method in row.get('skipped', {}) else '—'


def _cell(summary: dict) -> str:
    text = f'{summary["mean"]:.2f}'
    if summary['n'] > 1:
        text += f' ± {summary["std"]:.2f}'
        if summary.get('ci'):
            text += f' [{summary["ci"][0]:.2f}, {summary["ci"][1]:.2f}]'
    return text


#: what the search-time table says of a method that makes no supernet queries, by its kind
NO_QUERIES = {'generator': 'one forward pass',
              'files': 'none (one search run per budget, read from its subnet file)'}


def method_names(result: dict) -> List[str]:
    return [m['name'] for m in result['methods']]


def _cost_cell(costs: Sequence[float], budget: Optional[float]) -> str:
    mean = statistics.fmean(costs)
    text = f'{mean:.3f}' + (f' ± {statistics.stdev(costs):.3f}' if len(costs) > 1 else '')
    if budget is not None:
        worst = max((c - budget for c in costs), key=abs)
        text += (f' ({100 * (mean - budget) / budget:+.1f} %, worst '
                 f'{100 * worst / budget:+.1f} %)')
    return text


def cost_table(result: dict) -> List[str]:
    """Markdown lines: the cost of every method's choices per budget, mean ± std over seeds,
    with the error of the mean and the worst seed's error against the budget (%)."""
    unit, names = result['unit'], method_names(result)
    lines = ['## Cost of the chosen architectures', '',
             f'{unit} at {result["input_size"]}px, mean ± std over seeds (error of the mean '
             'against the budget, worst seed); the generator\'s after projection.', '',
             '| budget |' + ''.join(f' {n} |' for n in names), '|---|' + '---|' * len(names)]
    for row in result['rows']:
        cells = [_cost_cell([e['flops'] for e in row['methods'][n]], row['budget'])
                 if n in row['methods'] else _absent(row, n) for n in names]
        lines.append(f'| {_budget(row, unit)} | ' + ' | '.join(cells) + ' |')
    return lines


def markdown(result: dict) -> str:
    """compare.md: per judge a table of budgets x methods, then search time, the cost of the
    choices and the generator's budget errors."""
    unit, names = result['unit'], method_names(result)
    lines = []
    for judge in result['judges']:
        name = judge['name']
        images = result['judge_images'].get(name)
        lines += [f'## {name}', '',
                  f'Scores of the chosen architectures ({"%" if images or "test" in name or "valid" in name else "score"}), '
                  f'mean ± std over seeds {result["seeds"]} [95 % t-interval of the mean]; RI = '
                  '100 (acc - cloud mean) / cloud mean; rank = mean rank among the random cloud '
                  '(1 = above all of it).' + (f' One score on {images} images carries a binomial '
                                              '95 % interval given per seed in compare.json.'
                                              if images else ''), '',
                  '| budget | random cloud |' + ''.join(f' {n} | RI | rank |' for n in names),
                  '|---|---|' + '---|---|---|' * len(names)]
        for row in result['rows']:
            cloud = row['cloud']['summary'][name]
            cells = [f'| {_budget(row, unit)} | {cloud["mean"]:.2f} ± {cloud["std"]:.2f} '
                     f'(n={len(row["cloud"]["archs"])}) |']
            for method in names:
                if method not in row['summary']:
                    cells.append(f' {_absent(row, method)} | | |')
                    continue
                summary = row['summary'][method][name]
                cells.append(f' {_cell(summary)} | {summary["ri"]:+.2f} | '
                             f'{statistics.fmean(summary["rank"]):.1f} |')
            lines.append(''.join(cells))
        lines.append('')
    lines += landed_tables(result)
    lines += ['## Search time', '',
              '| method | time for all budgets (s), mean ± std over seeds | queries per budget '
              '(mean) |', '|---|---|---|']
    kinds = {m['name']: m['kind'] for m in result['methods']}
    for method in names:
        time = result['time'].get(method)
        if time is None:
            lines.append(f'| {method} | no budget served | |')
            continue
        queries = [e['queries'] for r in result['rows'] for e in r['methods'].get(method, [])
                   if e.get('queries') is not None]
        count = f'{statistics.fmean(queries):.0f}' if queries else NO_QUERIES.get(
            kinds[method], '-')
        lines.append(f'| {method} | {time["mean"]:.1f} ± {time["std"]:.1f} | {count} |')
    lines += [''] + cost_table(result)
    generators = [m['name'] for m in result['methods'] if m['kind'] == 'generator']
    for method in generators:
        lines += ['', f'## {method}: budget error, raw argmax and after projection', '',
                  f'| budget ({unit}) | raw {unit} | raw error (%) | projected {unit} | '
                  'error (%) | decisions changed |', '|---|---|---|---|---|---|']
        for row in result['rows']:
            entries = row['methods'].get(method)
            if not entries:
                continue
            raw = statistics.fmean(e['raw_flops'] for e in entries)
            final = statistics.fmean(e['flops'] for e in entries)
            steps = statistics.fmean(e['projection_steps'] for e in entries)
            budget = row['budget']
            lines.append(f'| {budget:.3f} | {raw:.3f} | {100 * (raw - budget) / budget:+.2f} | '
                         f'{final:.3f} | {100 * (final - budget) / budget:+.2f} | {steps:.1f} |')
    return '\n'.join(lines) + '\n'


def landed_tables(result: dict) -> List[str]:
    """Markdown lines: per method whose choices gave the budgets, every method's score over
    those budgets and its difference to that choice, paired budget by budget (empty when the
    budgets were not landed ones)."""
    lines: List[str] = []
    for name, landed in (result.get('landed') or {}).items():
        budgets = ', '.join(f'{b:.3f} (seed {s})' for b, s in zip(landed['budgets'],
                                                                  landed['seeds']))
        for judge, cells in landed['judges'].items():
            lines += [f'## At the costs {name} landed on: {judge}', '',
                      f'{result["unit"]}: {budgets}. Per budget the mean over seeds (the cloud\'s '
                      f'mean for the random cloud), then mean ± std over the budgets; the '
                      f'difference to {name} is paired budget by budget.', '',
                      f'| method | score | minus {name} | budgets (skipped) |', '|---|---|---|---|']
            for method, cell in cells.items():
                if not cell['n']:
                    lines.append(f'| {method} | — | — | 0 ({cell["skipped"]}) |')
                    continue
                lines.append(f'| {method} | {_cell(cell)} | {_cell(cell["difference"])} | '
                             f'{cell["n"]} ({cell["skipped"]}) |')
            lines.append('')
    return lines


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def plot_accuracy(result: dict, judge: str, path: str,
                  background: Optional[Tuple[Sequence[float], Sequence[float]]] = None) -> None:
    """Score vs cost: the random cloud in grey, every method's choices on top (paper Fig. 5/6a).
    ``background``: (costs, scores) of every architecture of the space, drawn lightest (the
    paper's Fig. 5 on NAS-Bench-201)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    if background is not None:
        ax.scatter(*background, s=2, color='gainsboro', alpha=0.5, linewidths=0,
                   label=f'all {len(background[0])} architectures', zorder=0)
    for i, row in enumerate(result['rows']):
        ax.scatter([a['flops'] for a in row['cloud']['archs']],
                   [a[judge] for a in row['cloud']['archs']], s=6, color='lightgray',
                   label='random architectures' if i == 0 else None, zorder=1)
    markers = ['s', '^', 'D', 'o', 'v', 'P', 'X']
    for index, method in enumerate(method_names(result)):
        points = [(e['flops'], e[judge]) for r in result['rows']
                  for e in r['methods'].get(method, [])]
        if not points:
            continue
        ax.scatter(*zip(*points), marker=markers[index % len(markers)], label=method, zorder=3)
    ax.set_xlabel(f'cost ({result["unit"]} at {result["input_size"]}px)')
    ax.set_ylabel(judge)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_target_vs_generated(result: dict, path: str) -> None:
    """Target vs generated cost over seeds: the generator's argmax and after projection (Fig. 7a)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    budgets = [r['budget'] for r in result['rows']]
    ax.plot(budgets, budgets, color='gray', linestyle='--', label='target')
    for method in (m['name'] for m in result['methods'] if m['kind'] == 'generator'):
        for key, marker, label in (('raw_flops', 'x', 'argmax'), ('flops', 's', 'projected')):
            points = [(r['budget'], e[key]) for r in result['rows']
                      for e in r['methods'].get(method, [])]
            if not points:
                continue
            ax.scatter(*zip(*points), marker=marker, label=f'{method} ({label})')
    ax.set_xlabel(f'target ({result["unit"]})')
    ax.set_ylabel(f'generated ({result["unit"]})')
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def best_so_far(history: List[float], length: int) -> np.ndarray:
    """Running maximum of a score history, held flat after its end, over ``length`` queries."""
    curve = np.maximum.accumulate(np.asarray(history, dtype=float))
    if len(curve) < length:
        curve = np.concatenate([curve, np.full(length - len(curve), curve[-1])])
    return curve[:length]


def plot_curves(result: dict, path: str) -> None:
    """Best search score so far against queries, mean and +- std band over seeds, per method."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for method in method_names(result):
        histories = [e['history'] for r in result['rows'] for e in r['methods'].get(method, [])
                     if 'history' in e]
        if not histories:
            continue
        length = max(len(h) for h in histories)
        curves = np.stack([best_so_far(h, length) for h in histories])
        mean, std = curves.mean(0), curves.std(0)
        x = np.arange(1, length + 1)
        ax.plot(x, mean, label=f'{method} (n={len(histories)})')
        ax.fill_between(x, mean - std, mean + std, alpha=0.2)
    ax.set_xscale('log')
    ax.set_xlabel('queries')
    ax.set_ylabel('best search score so far')
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
