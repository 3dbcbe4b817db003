"""Holding a measured latency table against reality: whole stand-alone networks timed in one run on
the table's device, threads and batch size, against the table's prediction; and generated
networks against their latency targets."""
import json
import os
import random
from typing import Any, Dict, List, Mapping, Optional, Sequence

import numpy as np
import torch

from ..cost.latency_lut import measure_networks, table_from_data


def relative_errors(predicted: Sequence[float], measured: Sequence[float]) -> Dict[str, float]:
    """Mean and max |predicted - measured| / measured (%), mean signed error (%), Pearson r and
    Kendall tau (scipy)."""
    from scipy import stats
    p, m = np.asarray(predicted, dtype=np.float64), np.asarray(measured, dtype=np.float64)
    rel = (p - m) / m
    out = dict(mean_abs_pct=100 * float(np.abs(rel).mean()),
               max_abs_pct=100 * float(np.abs(rel).max()),
               mean_signed_pct=100 * float(rel.mean()), n=int(len(p)))
    if len(p) > 2 and np.ptp(p) > 0 and np.ptp(m) > 0:
        out['pearson'] = float(stats.pearsonr(p, m)[0])
        out['kendall_tau'] = float(stats.kendalltau(p, m)[0])
    return out


def _setup(data: Mapping[str, Any]) -> None:
    if data['device'] == 'cpu' or data['device'].startswith('cpu'):
        torch.set_num_threads(int(data['threads']))


def check_random_networks(data: Mapping[str, Any], space, num: int = 50, seed: int = 1,
                          warmup: int = 10, repeats: int = 30,
                          min_sample_ms: float = 2.0) -> Dict[str, Any]:
    """Predicted (table) vs measured (whole network) latency of ``num`` random architectures of
    the space's sampling distribution, measured in one run in the table's context."""
    _setup(data)
    table = table_from_data(data, space)
    glue = float(data.get('glue_ms', 0.0))
    rng = random.Random(seed)
    archs = [space.sample(rng) for _ in range(num)]
    context = data['context']
    measured = measure_networks(space, archs, context['num_classes'], context['input_size'],
                                data['batch_size'], data['device'], context['network'], warmup,
                                repeats, min_sample_ms, seed, progress=True)
    predicted = [table.arch_cost(a) for a in archs]
    rows = [dict(arch=space.to_text(a), predicted_ms=p, predicted_without_glue_ms=p - glue,
                 measured=m, flops=space.cost_table(context['input_size'],
                                                    context['num_classes']).arch_cost(a))
            for a, p, m in zip(archs, predicted, measured)]
    medians = [m['median_ms'] for m in measured]
    iqr = [100 * (m['q3_ms'] - m['q1_ms']) / m['median_ms'] for m in measured]
    return dict(
        kind='random', num=num, seed=seed, timing=dict(warmup=warmup, repeats=repeats,
                                                       min_sample_ms=min_sample_ms),
        summary=relative_errors(predicted, medians),
        summary_without_glue=relative_errors([p - glue for p in predicted], medians),
        flops_vs_latency=relative_errors([r['flops'] for r in rows], medians) | dict(
            note='only pearson / kendall_tau are meaningful (different units)'),
        measured_iqr_median_pct=float(np.median(iqr)), rows=rows)


def check_subnets(data: Mapping[str, Any], space, groups: Mapping[str, Sequence[Mapping]],
                  warmup: int = 10, repeats: int = 30, min_sample_ms: float = 2.0,
                  seed: int = 0) -> Dict[str, Any]:
    """Generated networks against their targets: ``groups`` maps a name to rows
    dict(arch=..., constraint=..., file=...); every network of every group is timed in one run.
    Per group: measured and predicted ms per row; error of measured vs target (for a latency
    generator) and Kendall tau of target vs measured."""
    _setup(data)
    table = table_from_data(data, space)
    context = data['context']
    flops = space.cost_table(context['input_size'], context['num_classes'])
    names = list(groups)
    archs = [row['arch'] for name in names for row in groups[name]]
    measured = measure_networks(space, archs, context['num_classes'], context['input_size'],
                                data['batch_size'], data['device'], context['network'], warmup,
                                repeats, min_sample_ms, seed, progress=True)
    out, index = dict(kind='subnets', groups={}), 0
    for name in names:
        rows = []
        for row in groups[name]:
            stats = measured[index]
            index += 1
            rows.append(dict(file=row.get('file'), constraint=row.get('constraint'),
                             arch=space.to_text(row['arch']),
                             predicted_ms=table.arch_cost(row['arch']),
                             flops=flops.arch_cost(row['arch']), measured=stats))
        medians = [r['measured']['median_ms'] for r in rows]
        targets = [r['constraint'] for r in rows]
        group = dict(rows=rows,
                     predicted_vs_measured=relative_errors([r['predicted_ms'] for r in rows],
                                                           medians))
        if all(t is not None for t in targets):
            group['target_vs_measured'] = relative_errors(targets, medians)
            group['target_vs_predicted'] = relative_errors(
                targets, [r['predicted_ms'] for r in rows])
        out['groups'][name] = group
    return out


def _fmt(value: Optional[float], digits: int = 3) -> str:
    return '-' if value is None else f'{value:.{digits}f}'


def summary_line(summary: Mapping[str, float]) -> str:
    return (f'mean |err| {summary["mean_abs_pct"]:.2f}%, max {summary["max_abs_pct"]:.2f}%, '
            f'mean signed {summary["mean_signed_pct"]:+.2f}%, Pearson '
            f'{_fmt(summary.get("pearson"), 4)}, Kendall tau {_fmt(summary.get("kendall_tau"), 4)}'
            f' (n={summary["n"]})')


def markdown_report(data: Mapping[str, Any], results: Sequence[Mapping[str, Any]],
                    noise: Optional[Mapping[str, Any]] = None,
                    parts: Optional[Mapping[str, float]] = None) -> str:
    lines = ['# Latency table check', '',
             f'Table: {data["device_name"]} ({data["device"]}), torch {data["torch"]}, '
             f'{data["threads"]} threads, batch {data["batch_size"]}, input '
             f'{data["input_size"]}px, fingerprint {data["fingerprint"]}, measured '
             f'{data["created"]}; glue {data["glue_ms"]:.3f} ms.', '']
    if parts:
        lines += ['## Parts model vs whole-block timings', '',
                  '- fitted (e, uniform k) blocks: mean {fitted_mean_pct:.2f}%, max '
                  '{fitted_max_pct:.2f}%'.format(**parts)]
        if 'mixed_mean_pct' in parts:
            lines.append('- mixed-kernel blocks (not fitted): mean {mixed_mean_pct:.2f}%, max '
                         '{mixed_max_pct:.2f}% over {mixed_blocks} blocks'.format(**parts))
        lines.append('')
    for result in results:
        if result['kind'] == 'random':
            lines += [f'## {result["num"]} random networks (seed {result["seed"]}), whole network '
                      'measured vs table', '',
                      f'- table: {summary_line(result["summary"])}',
                      f'- table without glue: {summary_line(result["summary_without_glue"])}',
                      f'- FLOPs as a latency proxy: Pearson '
                      f'{_fmt(result["flops_vs_latency"].get("pearson"), 4)}, Kendall tau '
                      f'{_fmt(result["flops_vs_latency"].get("kendall_tau"), 4)}',
                      f'- median interquartile range of a whole-network timing: '
                      f'{result["measured_iqr_median_pct"]:.2f}%', '',
                      '| # | predicted ms | measured ms | IQR ms | error % | MFLOPs |',
                      '|---|---|---|---|---|---|']
            for i, row in enumerate(result['rows']):
                m = row['measured']
                lines.append(f'| {i} | {row["predicted_ms"]:.3f} | {m["median_ms"]:.3f} | '
                             f'{m["q3_ms"] - m["q1_ms"]:.3f} | '
                             f'{100 * (row["predicted_ms"] - m["median_ms"]) / m["median_ms"]:+.2f}'
                             f' | {row["flops"]:.3f} |')
            lines.append('')
        else:
            for name, group in result['groups'].items():
                lines += [f'## {name}', '',
                          f'- table vs measured: {summary_line(group["predicted_vs_measured"])}']
                if 'target_vs_measured' in group:
                    lines.append('- target vs measured: '
                                 + summary_line(group['target_vs_measured']))
                lines += ['', '| file | target | predicted ms | measured ms | MFLOPs |',
                          '|---|---|---|---|---|']
                for row in group['rows']:
                    lines.append(f'| {row["file"]} | {_fmt(row["constraint"])} | '
                                 f'{row["predicted_ms"]:.3f} | '
                                 f'{row["measured"]["median_ms"]:.3f} | {row["flops"]:.3f} |')
                lines.append('')
    if noise:
        lines += ['## Run-to-run noise (a second measurement of the table)', '',
                  f'- {noise["entries"]} timed entries: median |difference| '
                  f'{noise["median_rel_diff_pct"]:.2f}%, mean {noise["mean_rel_diff_pct"]:.2f}%, '
                  f'max {noise["max_rel_diff_pct"]:.2f}%',
                  f'- second median inside the first\'s interquartile range: '
                  f'{noise["within_iqr"]}/{noise["entries"]}; inside its min..max: '
                  f'{noise["within_min_max"]}/{noise["entries"]}',
                  f'- median recorded interquartile range: {noise["median_iqr_rel_pct"]:.2f}%']
        if 'prediction' in noise:
            lines.append(f'- predicted latency of the checked networks, table 2 vs table 1: '
                         f'{summary_line(noise["prediction"])}')
        lines.append('')
    return '\n'.join(lines)


def plot_check(results: Sequence[Mapping[str, Any]], path: str) -> None:
    """Predicted (or target) vs measured latency, one panel per result."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    panels = []
    for result in results:
        if result['kind'] == 'random':
            panels.append(('random networks: table vs measured', 'predicted ms',
                           [(r['predicted_ms'], r['measured']['median_ms'])
                            for r in result['rows']]))
        else:
            for name, group in result['groups'].items():
                if 'target_vs_measured' in group:
                    panels.append((f'{name}: target vs measured', 'target ms',
                                   [(r['constraint'], r['measured']['median_ms'])
                                    for r in group['rows']]))
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 5), squeeze=False)
    for ax, (title, xlabel, points) in zip(axes[0], panels):
        xs, ys = zip(*points)
        low, high = min(xs + ys), max(xs + ys)
        ax.plot([low, high], [low, high], color='gray', linestyle='--')
        ax.scatter(xs, ys, s=12)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel('measured ms')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_check(out_dir: str, data: Mapping[str, Any], results: List[Mapping[str, Any]],
                noise: Optional[Mapping[str, Any]] = None,
                parts: Optional[Mapping[str, float]] = None) -> None:
    """check.md, check.json and check.png into ``out_dir``."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'check.md'), 'w') as f:
        f.write(markdown_report(data, results, noise, parts))
    with open(os.path.join(out_dir, 'check.json'), 'w') as f:
        json.dump(dict(table=dict((k, data[k]) for k in (
            'fingerprint', 'device', 'device_name', 'torch', 'threads', 'batch_size',
            'input_size', 'created', 'glue_ms')), parts_model=parts, results=results,
            noise=noise), f, indent=1)
    plot_check(results, os.path.join(out_dir, 'check.png'))
