"""The comparison harness: search methods x budgets x seeds on one space, every chosen
architecture scored by the same judges, against a cloud of random architectures.

A config (``configs/compare/*.py``) holds one ``comparison = dict(...)``:

* ``space``: the space config (default: the space of the first supernet judge or generator);
* ``methods``: a list of method configs (:mod:`.methods`: ``GeneratorMethod``,
  ``SearchLoopMethod``, ``SubnetFilesMethod``), each with a ``name``;
* ``budgets``: ``dict(num=K)`` (evenly spaced over the generator's trained range, or over
  ``range=(low, high)``), ``dict(values=[...])``, ``dict(landed=[NAME, ...])`` (the costs the
  named ``SubnetFilesMethod`` choices land on, one budget per method and seed: each of those
  methods is entered at its own budget only, every other method at all of them; for methods
  without a budget of their own, such as DARTS), or None (no cost budget: query-mode searches on
  a benchmark);
* ``tolerance``: searches run under budget x (1 + tolerance), the allowance the generator's
  projection has;
* ``seeds``: search seeds (generator checkpoints may be per seed);
* ``judges``: judge configs (:mod:`.judges`): ``SupernetJudge`` (inherited weights, BN
  recalibrated, on a split no search saw) and/or ``BenchmarkJudge``;
* ``cloud``: ``dict(num=N, window=0.03, seed=1)``: per budget N random architectures whose cost is
  in [budget x (1 - window), budget x (1 + tolerance)], scored by every judge (the NAS-Benchmark
  protocol's random baseline), budget i's drawn from ``random.Random(1000 seed + i)``, which must
  not be one of ``seeds`` (a search seeded s draws from ``random.Random(s)``: refused);
  ``dict(all=True)`` takes every architecture of a small space.

Outputs in ``out_dir``: ``compare.json`` (everything), ``compare.md`` (tables per judge: mean +-
std over seeds with 95 % intervals, RI against the cloud mean, search time and queries) and the
plots (:mod:`.report`). Search loops resume from their states; judge scores are cached in
``scores.json`` under the judges' settings (a retrained supernet invalidates them).
"""
import json
import math
import os
import random
import statistics
from typing import Any, Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config
from mmengine.registry import DefaultScope
from scipy import stats

from ...cost import sample_within_budget
from ...registry import TASK_UTILS
from ...space import build_space, load_subnet
from ...utils import write_text_atomic
from .judges import build_judge
from .methods import Skipped
from .report import markdown, plot_accuracy, plot_curves, plot_target_vs_generated


def mean_std_ci(values: Sequence[float], confidence: float = 0.95) -> Dict[str, Any]:
    """Mean, sample standard deviation and the t-interval of the mean over seeds."""
    values = [float(v) for v in values]
    mean = statistics.fmean(values)
    if len(values) < 2:
        return dict(mean=mean, std=0.0, ci=None, n=len(values), values=values)
    std = statistics.stdev(values)
    half = stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * std / math.sqrt(len(values))
    return dict(mean=mean, std=std, ci=[mean - half, mean + half], n=len(values), values=values)


def binomial_ci(accuracy: float, images: Optional[int], confidence: float = 0.95):
    """The exact (Clopper-Pearson) interval of one accuracy (%) measured on ``images`` images."""
    if not images:
        return None
    hits = int(round(accuracy / 100 * images))
    interval = stats.binomtest(hits, images).proportion_ci(confidence, method='exact')
    return [100 * interval.low, 100 * interval.high]


def kendall_spearman(xs: Sequence[float], ys: Sequence[float]) -> Dict[str, Optional[float]]:
    """Kendall tau-b and Spearman rho of two paired lists (None when either is constant)."""
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return dict(kendall=None, spearman=None, n=len(xs))
    return dict(kendall=float(stats.kendalltau(xs, ys).statistic),
                spearman=float(stats.spearmanr(xs, ys).statistic), n=len(xs))


def relative_improvement(value: float, base: float) -> float:
    """RI = 100 (acc - acc_random) / acc_random (the NAS-Benchmark protocol)."""
    return 100 * (value - base) / base


class ScoreCache:
    """Judge scores by (judge settings, architecture text), kept in a JSON file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.data: Dict[str, Dict[str, float]] = {}
        if os.path.isfile(path):
            with open(path) as f:
                self.data = json.load(f)

    def score(self, judge, space, arch) -> float:
        key = json.dumps(judge.settings(), sort_keys=True)
        table = self.data.setdefault(key, {})
        text = space.to_text(arch)
        if text not in table:
            table[text] = judge(arch)
        return table[text]

    def save(self) -> None:
        write_text_atomic(self.path, json.dumps(self.data))


class SearchComparison:
    """Runs a comparison config (see the module docstring)."""

    def __init__(self, methods: List[dict], judges: List[dict], seeds: Sequence[int] = (0,),
                 budgets: Optional[dict] = None, tolerance: float = 0.01,
                 cloud: Optional[dict] = None, space: Any = None, input_size: int = 32,
                 num_classes: int = 10, out_dir: str = 'work_dirs/compare') -> None:
        with DefaultScope.overwrite_default_scope('mmsgnas'):
            self.methods = [TASK_UTILS.build(dict(m)) for m in methods]
        names = [m.name for m in self.methods]
        if len(set(names)) != len(names):
            raise ValueError(f'method names must differ, got {names}')
        self.out_dir = out_dir
        self.seeds, self.tolerance = list(seeds), tolerance
        self.space = build_space(space) if space is not None else None
        self.judges = [build_judge(j, self.space) for j in judges]
        if self.space is None:
            self.space = self._space_from_parts()
        self.cost_table = self.space.cost_table(input_size, num_classes)
        self._cell_costs = None    # (strings, costs) of every cell, for benchmark judges' plots
        self.landed: Optional[List[dict]] = None   # per budget: the choice it is the cost of
        self.budgets = self._budgets(budgets)
        self.cloud_cfg = {**dict(num=0, window=0.03, seed=1), **(cloud or {})}
        self._check_cloud_stream()
        self.cache = ScoreCache(os.path.join(out_dir, 'scores.json'))

    # -- set-up ----------------------------------------------------------------------------------
    def _space_from_parts(self):
        for judge in self.judges:
            if judge.kind == 'supernet':
                return judge.space
        for method in self.methods:
            if method.kind == 'generator':
                return method.model(self.seeds[0]).space
        raise ValueError('comparison: give space=dict(type=...) (no supernet judge or generator '
                         'to take it from)')

    def _budgets(self, cfg: Optional[dict]) -> List[Optional[float]]:
        if cfg is None:
            return [None]
        if 'landed' in cfg:
            return self._landed_budgets(cfg['landed'])
        if 'values' in cfg:
            return [float(v) for v in cfg['values']]
        num = int(cfg.get('num', 5))
        if 'range' in cfg:
            low, high = (float(v) for v in cfg['range'])
        else:
            generators = [m for m in self.methods if m.kind == 'generator']
            if not generators:
                raise ValueError('budgets=dict(num=K) needs a generator method or range=(low, '
                                 'high)')
            low, high = generators[0].constraint_range(self.seeds[0])
        step = (high - low) / max(num - 1, 1)
        return [low + step * i for i in range(num)]

    def _landed_budgets(self, names: Sequence[str]) -> List[float]:
        """One budget per named files method and seed: the cost of the architecture it chose."""
        names = [names] if isinstance(names, str) else list(names)
        files = {m.name: m for m in self.methods if m.kind == 'files'}
        budgets, self.landed = [], []
        for name in names:
            method = files.get(name)
            if method is None:
                raise ValueError(f'budgets.landed: {name!r} is not a SubnetFilesMethod of this '
                                 f'comparison (its files methods: {sorted(files)})')
            if '{budget}' in method.pattern:
                raise ValueError(f'budgets.landed: {name!r} has a file per budget '
                                 f'({method.pattern}); a landed budget needs one file per seed')
            for seed in self.seeds:
                path = method.path(0, seed)
                arch, _ = load_subnet(path, self.space)
                budgets.append(self.cost_table.arch_cost(arch))
                self.landed.append(dict(method=name, seed=seed, file=path))
        return budgets

    def rows_of(self, method, seed: int) -> List[int]:
        """The budgets (row indices) ``method`` is entered at for ``seed``: all of them, or for a
        method whose choices give the landed budgets, the one its seed's choice landed on."""
        if self.landed is None or method.name not in {e['method'] for e in self.landed}:
            return list(range(len(self.budgets)))
        return [i for i, e in enumerate(self.landed)
                if e['method'] == method.name and e['seed'] == seed]

    # -- the random cloud ------------------------------------------------------------------------
    def cloud_stream(self, index: int) -> int:
        """The seed of the random stream the cloud of budget ``index`` is drawn from."""
        return self.cloud_cfg['seed'] * 1000 + index

    def _check_cloud_stream(self) -> None:
        """Refuse a cloud drawn from the stream of a search seed: a search loop seeded s draws
        from ``random.Random(s)``, so that seed's random search would start with the cloud's
        architectures and its pick would not be independent of the baseline."""
        if self.cloud_cfg.get('all') or not self.cloud_cfg['num']:
            return
        shared = [(i, self.cloud_stream(i)) for i in range(len(self.budgets))
                  if self.cloud_stream(i) in self.seeds]
        if shared:
            index, stream = shared[0]
            raise ValueError(f'cloud.seed={self.cloud_cfg["seed"]}: the cloud of budget {index} '
                             f'is drawn from random.Random({stream}), the stream of search seed '
                             f'{stream}; give the cloud another seed (e.g. cloud.seed='
                             f'{max(self.seeds) // 1000 + 1})')

    def cloud(self) -> List[List[Any]]:
        """Per budget, the random architectures of the baseline."""
        cfg = self.cloud_cfg
        if cfg.get('all'):
            everything = list(self.space.enumerate())
            return [[a for a in everything if budget is None or
                     self.cost_table.arch_cost(a) <= budget * (1 + self.tolerance)]
                    for budget in self.budgets]
        out = []
        for index, budget in enumerate(self.budgets):
            rng = random.Random(self.cloud_stream(index))
            if budget is None:
                out.append([self.space.sample(rng) for _ in range(cfg['num'])])
            else:
                out.append([sample_within_budget(rng, self.cost_table,
                                                 budget * (1 + self.tolerance),
                                                 budget * (1 - cfg['window']))
                            for _ in range(cfg['num'])])
        return out

    def judge_all(self, arch: Any) -> Dict[str, float]:
        return {j.name: self.cache.score(j, self.space, arch) for j in self.judges}

    # -- running ---------------------------------------------------------------------------------
    def run(self) -> dict:
        os.makedirs(self.out_dir, exist_ok=True)
        cloud = self.cloud()
        rows = []
        for index, (budget, archs) in enumerate(zip(self.budgets, cloud)):
            scored = [dict(arch=self.space.to_text(a), flops=self.cost_table.arch_cost(a),
                           **self.judge_all(a)) for a in archs]
            summary = {j.name: mean_std_ci([s[j.name] for s in scored]) for j in self.judges}
            rows.append(dict(budget=budget, cloud=dict(archs=scored, summary=summary),
                             methods={}))
            if self.landed is not None:
                rows[-1]['landed'] = self.landed[index]
            self.cache.save()
            if budget is not None:
                print(f'budget {budget:.4f} {self.cost_table.unit}: random cloud of {len(archs)} '
                      f'scored')
        times: Dict[str, Dict[int, float]] = {}
        for method in self.methods:
            method_dir = os.path.join(self.out_dir, method.name)
            for seed in self.seeds:
                indices = self.rows_of(method, seed)
                if not indices:
                    continue
                choices = method.choose([self.budgets[i] for i in indices], seed, method_dir, **(
                    dict(space=self.space) if method.kind == 'files' else {}))
                made = []
                for index, choice in zip(indices, choices):
                    row = rows[index]
                    if isinstance(choice, Skipped):
                        row.setdefault('skipped', {}).setdefault(method.name, []).append(
                            dict(seed=seed, reason=choice.reason))
                        continue
                    made.append(choice)
                    entry = dict(seed=seed, arch=self.space.to_text(choice.arch),
                                 flops=self.cost_table.arch_cost(choice.arch),
                                 seconds=choice.seconds, queries=choice.queries,
                                 search_score=choice.search_score, **self.judge_all(choice.arch))
                    entry.update({k: v for k, v in choice.extra.items() if k != 'history'})
                    if 'history' in choice.extra:
                        entry['history'] = choice.extra['history']
                    row['methods'].setdefault(method.name, []).append(entry)
                self.cache.save()
                if not made:
                    print(f'{method.name} seed {seed}: no budget served')
                    continue
                shared = made[0].extra.get('shared_time')
                times.setdefault(method.name, {})[seed] = made[0].seconds if shared else \
                    sum(c.seconds for c in made)
                print(f'{method.name} seed {seed}: ' + ', '.join(
                    f'{j.name} {statistics.fmean(r["methods"][method.name][-1][j.name] for r in rows if method.name in r["methods"]):.2f}'
                    for j in self.judges) + ' (mean over budgets)')
        result = self.summarise(rows, times)
        self.write(result)
        return result

    def summarise(self, rows: List[dict], times: Dict[str, Dict[int, float]]) -> dict:
        for row in rows:
            row.setdefault('summary', {})
            for name, entries in row['methods'].items():
                row['summary'][name] = {}
                for judge in self.judges:
                    values = [e[judge.name] for e in entries]
                    base = row['cloud']['summary'][judge.name]['mean']
                    cloud_values = [a[judge.name] for a in row['cloud']['archs']]
                    cell = mean_std_ci(values)
                    cell.update(
                        ri=relative_improvement(cell['mean'], base),
                        ri_per_seed=[relative_improvement(v, base) for v in values],
                        binomial_ci=[binomial_ci(v, judge.num_images) for v in values],
                        rank=[1 + sum(c > v for c in cloud_values) for v in values])
                    row['summary'][name][judge.name] = cell
        landed = None if self.landed is None else self.landed_summary(rows)
        return dict(space=self.space.settings(), unit=self.cost_table.unit, landed=landed,
                    input_size=self.cost_table.input_size, tolerance=self.tolerance,
                    seeds=self.seeds, judges=[j.settings() for j in self.judges],
                    judge_images={j.name: j.num_images for j in self.judges},
                    methods=[dict(name=m.name, **m.settings()) for m in self.methods],
                    cloud=dict(self.cloud_cfg), rows=rows,
                    time={name: mean_std_ci(list(per_seed.values()))
                          for name, per_seed in times.items()})

    def landed_summary(self, rows: List[dict]) -> Dict[str, Dict[str, Any]]:
        """Per landed method and judge: over the budgets its choices landed on, the score of it
        and of every method that is not itself landed (the mean over its seeds at each budget;
        the cloud's mean for the random cloud), mean +- std over those budgets, and its
        difference to the landed choice, paired budget by budget."""
        out: Dict[str, Dict[str, Any]] = {}
        landed_names = list(dict.fromkeys(e['method'] for e in self.landed))
        for name in landed_names:
            mine = [r for r in rows if r['landed']['method'] == name]
            per_judge = {}
            for judge in self.judges:
                own = [r['methods'][name][0][judge.name] for r in mine]
                table = {'random cloud': [r['cloud']['summary'][judge.name]['mean'] for r in mine]}
                for method in self.methods:
                    if method.name in landed_names and method.name != name:
                        continue   # entered at its own costs only
                    table.setdefault(method.name, [
                        statistics.fmean(e[judge.name] for e in r['methods'][method.name])
                        if method.name in r['methods'] else None for r in mine])
                cells = {}
                for method, values in table.items():
                    pairs = [(v, o) for v, o in zip(values, own) if v is not None]
                    if not pairs:
                        cells[method] = dict(n=0, skipped=len(values))
                        continue
                    cells[method] = dict(mean_std_ci([v for v, _ in pairs]),
                                         difference=mean_std_ci([v - o for v, o in pairs]),
                                         skipped=len(values) - len(pairs))
                per_judge[judge.name] = cells
            out[name] = dict(budgets=[r['budget'] for r in mine],
                             seeds=[r['landed']['seed'] for r in mine], judges=per_judge)
        return out

    def _every_cell(self, judge) -> Optional[Tuple[List[float], List[float]]]:
        """(costs, scores) of every architecture of the space when the judge knows them all (a
        benchmark judge), costs by this comparison's cost table; else None."""
        if not hasattr(judge, 'every_cell'):
            return None
        strings, scores = judge.every_cell()
        # every benchmark judge lists the same cells: cost them once
        if self._cell_costs is None or self._cell_costs[0] != strings:
            self._cell_costs = (strings, [self.cost_table.arch_cost(self.space.canonical(text))
                                          for text in strings])
        return self._cell_costs[1], scores

    def write(self, result: dict) -> None:
        write_text_atomic(os.path.join(self.out_dir, 'compare.json'), json.dumps(result, indent=1))
        write_text_atomic(os.path.join(self.out_dir, 'compare.md'), markdown(result))
        for judge in self.judges:
            plot_accuracy(result, judge.name,
                          os.path.join(self.out_dir, f'accuracy_vs_flops_{judge.name}.png'),
                          background=self._every_cell(judge))
        if any(m.kind == 'generator' for m in self.methods):
            plot_target_vs_generated(result, os.path.join(self.out_dir,
                                                          'target_vs_generated.png'))
        if any('history' in e for r in result['rows'] for es in r['methods'].values()
               for e in es):
            plot_curves(result, os.path.join(self.out_dir, 'best_vs_queries.png'))


def run_comparison(config: str, cfg_options: Optional[dict] = None,
                   out_dir: Optional[str] = None) -> dict:
    """Run the ``comparison`` of a config file."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if 'comparison' not in cfg:
        raise ValueError(f'{config} has no comparison = dict(...)')
    settings = dict(cfg.comparison)
    if out_dir is not None:
        settings['out_dir'] = out_dir
    return SearchComparison(**settings).run()
