"""Generator vs random search vs evolution on one trained supernet, for K FLOPs budgets.

    python tools/analysis/compare_search.py GENERATOR_CONFIG GENERATOR_CKPT \
        --random-config configs/demo/random_search_digits.py \
        --evolution-config configs/demo/evolution_digits.py \
        [--supernet-checkpoint SUPERNET.pth] [--budgets 5] [--seeds 0 1 2] [--cloud 50] \
        [--random-samples N] [--population P --top-k K --generations G] \
        [--generator-train-seconds S] [--out-dir DIR]

Budgets: K targets evenly spaced over the generator's trained range; the baselines search under
target x (1 + tolerance), the same upper limit the generator's projection allows. Random search
and evolution run through their loops (configs as given, per budget and seed, resumable: a rerun
continues), scoring candidates as their config says. Every chosen architecture, and a cloud of
``--cloud`` random architectures under each budget, is then evaluated with inherited weights after
BN recalibration on the supernet config's test split. RI = 100 * (acc - mean acc of the cloud) /
that mean. Search time: per method the total over the K budgets (mean over seeds); the generator's
is its training time (from its work dir's logs, or --generator-train-seconds) plus one generation
pass, listed separately.

Writes compare.json, compare.md, accuracy_vs_flops.png (paper Fig. 6a) and
target_vs_generated.png (Fig. 7a) into --out-dir.
"""
import argparse
import glob
import json
import os
import random
import re
import statistics
from datetime import datetime
from typing import Dict, List, Optional

from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmsgnas.cost import sample_within_budget
from mmsgnas.engine import (build_search_runner, generate_subnets, load_generator,
                            run_search_loop, search_cfg_of)
from mmsgnas.engine.generation import plot_flops
from mmsgnas.evaluation import SubnetEvaluator

METHODS = ('generator', 'random', 'evolution')
LOG_TIME = re.compile(r'^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) - mmengine')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='generator-training config')
    parser.add_argument('checkpoint', help='generator checkpoint')
    parser.add_argument('--random-config', required=True)
    parser.add_argument('--evolution-config', required=True)
    parser.add_argument('--supernet-checkpoint',
                        help='default: model.supernet_checkpoint of the generator config')
    parser.add_argument('--budgets', type=int, default=5)
    parser.add_argument('--tolerance', type=float, default=0.01)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--cloud', type=int, default=50,
                        help='random architectures per budget for the RI baseline')
    parser.add_argument('--random-samples', type=int, help='override num_samples')
    parser.add_argument('--population', type=int, help='override the evolution population, '
                        'and its mutation and crossover counts (half each)')
    parser.add_argument('--top-k', type=int)
    parser.add_argument('--generations', type=int)
    parser.add_argument('--generator-train-seconds', type=float)
    parser.add_argument('--out-dir', default='work_dirs/compare_search')
    return parser.parse_args(argv)


def training_seconds(work_dir: str) -> Optional[float]:
    """Wall time of the training runs logged in ``work_dir`` (first to last log line of each
    ``<timestamp>/<timestamp>.log``; resumed runs add up), None when there is no log."""
    total, found = 0.0, False
    for log in glob.glob(os.path.join(work_dir, '*', '*.log')):
        with open(log) as f:
            stamps = [m.group(1) for m in map(LOG_TIME.match, f) if m]
        if len(stamps) >= 2:
            first, last = (datetime.strptime(s, '%Y/%m/%d %H:%M:%S') for s in (stamps[0], stamps[-1]))
            total += (last - first).total_seconds()
            found = True
    return total if found else None


def loop_overrides(args: argparse.Namespace, method: str) -> dict:
    if method == 'random':
        return {} if args.random_samples is None else dict(num_samples=args.random_samples)
    overrides = {}
    if args.population is not None:
        overrides.update(population_size=args.population, num_mutation=args.population // 2,
                         num_crossover=args.population - args.population // 2)
    if args.top_k is not None:
        overrides['top_k'] = args.top_k
    if args.generations is not None:
        overrides['max_generations'] = args.generations
    return overrides


def build_loader(cfg: dict, seed: int, scope: str):
    with DefaultScope.overwrite_default_scope(scope):
        return Runner.build_dataloader(cfg, seed=seed)


def mean_std(values: List[float]) -> dict:
    return dict(mean=statistics.mean(values),
                std=statistics.pstdev(values) if len(values) > 1 else 0.0, values=values)


def main(argv=None) -> dict:
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    gen_cfg = Config.fromfile(args.config)
    supernet_ckpt = args.supernet_checkpoint or gen_cfg.model.get('supernet_checkpoint')
    model = load_generator(gen_cfg, args.checkpoint)
    low, high = model.constraint_range
    step = (high - low) / max(args.budgets - 1, 1)
    targets = [low + step * i for i in range(args.budgets)]
    generated, generation_seconds = generate_subnets(model, targets, args.tolerance)
    train_seconds = args.generator_train_seconds
    if train_seconds is None:
        train_seconds = training_seconds(os.path.dirname(os.path.abspath(args.checkpoint)))

    # Final scoring: the supernet config's test split, BN recalibrated as the search configs say.
    random_cfg = Config.fromfile(args.random_config)
    search_cfg = search_cfg_of(random_cfg)
    scope = random_cfg.get('default_scope')
    supernet = model.supernet
    test = SubnetEvaluator(
        supernet, build_loader(random_cfg.test_dataloader, 0, scope),
        build_loader(search_cfg['recal_dataloader'], 0, scope), search_cfg['recal_batches'])
    table = model.cost_table

    rows: List[Dict] = []
    for index, (target, subnet) in enumerate(zip(targets, generated)):
        budget = target * (1 + args.tolerance)
        rng = random.Random(1000 + index)
        cloud = [sample_within_budget(rng, table, budget) for _ in range(args.cloud)]
        cloud_accs = [test(arch) for arch in cloud]
        rows.append(dict(target=target, budget=budget,
                         cloud=dict(mean_std(cloud_accs),
                                    flops=[table.arch_mflops(a) for a in cloud]),
                         generator=dict(arch=subnet.arch.to_lists(), flops=subnet.flops,
                                        accuracy=test(subnet.arch))))
        print(f'budget {budget:.3f} MFLOPs: random cloud (n={args.cloud}) mean '
              f'{statistics.mean(cloud_accs):.2f}%, generated {rows[-1]["generator"]["accuracy"]:.2f}%')

    times = {'random': [], 'evolution': []}
    for method, config in (('random', args.random_config), ('evolution', args.evolution_config)):
        cfg = Config.fromfile(config)
        runner = build_search_runner(cfg, supernet_ckpt, os.path.join(args.out_dir, method))
        for seed in args.seeds:
            seconds = 0.0
            for index, row in enumerate(rows):
                loop = run_search_loop(runner, search_cfg_of(cfg), resume=True,
                                       flops_budget=row['budget'], seed=seed,
                                       out_dir=f'budget{index}_seed{seed}',
                                       **loop_overrides(args, method))
                seconds += loop.seconds
                best = loop.best
                row.setdefault(method, []).append(dict(
                    seed=seed, arch=best.arch.to_lists(), flops=best.flops,
                    search_accuracy=best.accuracy, accuracy=test(best.arch),
                    evaluated=len(loop.candidates), seconds=loop.seconds))
                print(f'{method} seed {seed} budget {row["budget"]:.3f}: '
                      f'{row[method][-1]["accuracy"]:.2f}% ({best.flops:.3f} MFLOPs, '
                      f'{len(loop.candidates)} evaluated, {loop.seconds:.0f} s)')
            times[method].append(seconds)

    for row in rows:
        base = row['cloud']['mean']
        row['generator']['ri'] = 100 * (row['generator']['accuracy'] - base) / base
        for method in ('random', 'evolution'):
            accs = [r['accuracy'] for r in row[method]]
            row[f'{method}_summary'] = dict(mean_std(accs),
                                            ri=100 * (statistics.mean(accs) - base) / base)
    generator_total = (train_seconds or 0.0) + generation_seconds
    summary = dict(
        budgets=len(rows), seeds=args.seeds, cloud=args.cloud, rows=rows,
        time=dict(generator_training=train_seconds, generator_generation=generation_seconds,
                  generator_total=generator_total,
                  random=mean_std(times['random']), evolution=mean_std(times['evolution']),
                  random_ratio=statistics.mean(times['random']) / generator_total
                  if generator_total else None,
                  evolution_ratio=statistics.mean(times['evolution']) / generator_total
                  if generator_total else None),
        generator_above_random_best=sum(
            r['generator']['accuracy'] >= r['random_summary']['mean'] for r in rows),
        generator_above_evolution=sum(
            r['generator']['accuracy'] >= r['evolution_summary']['mean'] for r in rows))
    with open(os.path.join(args.out_dir, 'compare.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(args.out_dir, 'compare.md'), 'w') as f:
        f.write(markdown(summary))
    plot_accuracy(rows, os.path.join(args.out_dir, 'accuracy_vs_flops.png'))
    plot_flops(generated, os.path.join(args.out_dir, 'target_vs_generated.png'))
    print(markdown(summary))
    return summary


def markdown(summary: dict) -> str:
    lines = ['| budget (MFLOPs) | random cloud mean (%) | generator (%) | gen. FLOPs | gen. RI | '
             'random search (%) | RI | evolution (%) | RI |', '|' + '---|' * 9]
    for r in summary['rows']:
        rs, ev = r['random_summary'], r['evolution_summary']
        lines.append(
            f'| {r["budget"]:.3f} | {r["cloud"]["mean"]:.2f} ± {r["cloud"]["std"]:.2f} | '
            f'{r["generator"]["accuracy"]:.2f} | {r["generator"]["flops"]:.3f} | '
            f'{r["generator"]["ri"]:+.2f} | {rs["mean"]:.2f} ± {rs["std"]:.2f} | {rs["ri"]:+.2f} | '
            f'{ev["mean"]:.2f} ± {ev["std"]:.2f} | {ev["ri"]:+.2f} |')
    t = summary['time']
    train = 'unknown' if t['generator_training'] is None else f'{t["generator_training"]:.0f} s'
    lines += ['', f'Accuracy: top-1 on the test split, inherited weights, BN recalibrated; '
              f'baselines: mean ± std over seeds {summary["seeds"]}; random cloud: '
              f'{summary["cloud"]} architectures per budget.', '',
              '| method | search time for all budgets | ratio to generator |', '|---|---|---|',
              f'| generator | {t["generator_total"]:.1f} s (training {train}, generation of all '
              f'budgets {t["generator_generation"]:.3f} s) | 1.0 |']
    for method in ('random', 'evolution'):
        ratio = t[f'{method}_ratio']
        lines.append(f'| {method} | {t[method]["mean"]:.1f} ± {t[method]["std"]:.1f} s | '
                     f'{"n/a" if ratio is None else f"{ratio:.2f}"} |')
    return '\n'.join(lines) + '\n'


def plot_accuracy(rows: List[dict], path: str) -> None:
    """Accuracy vs FLOPs: the random cloud, generated, random-search best and evolved (Fig. 6a)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for i, row in enumerate(rows):
        ax.scatter(row['cloud']['flops'], row['cloud']['values'], s=8, color='lightgray',
                   label='random architectures' if i == 0 else None)
    ax.scatter([r['generator']['flops'] for r in rows], [r['generator']['accuracy'] for r in rows],
               marker='s', color='red', label='generated', zorder=3)
    for method, marker, color in (('random', '^', 'tab:blue'), ('evolution', 'D', 'tab:green')):
        points = [(b['flops'], b['accuracy']) for r in rows for b in r[method]]
        ax.scatter(*zip(*points), marker=marker, color=color, label=f'{method} search best',
                   zorder=2)
    ax.set_xlabel('FLOPs (M)')
    ax.set_ylabel('top-1 (%), inherited weights')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == '__main__':
    main()
