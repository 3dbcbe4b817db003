"""Query-mode search curves on NAS-Bench-201: several search loops, many seeds each, scored by
benchmark look-up, summarised the way query-based NAS papers report them.

For every *search* (the benchmark column the loops select by, e.g. CIFAR-10 validation) and every
*method* (a query-mode search config: random search, REA, WeakNAS, ...) the loop runs once per seed
in memory (no files), and the tool reports

* the best search score found so far against the number of queries (mean +- std over runs);
* the test accuracy, on every data set the table has, of the architecture the search metric picks
  after Q queries (the loop's own ranking: best score, then lower FLOPs, then earlier), for the
  checkpoints Q, with the NAS-Benchmark relative improvement (RI) over the benchmark's average cell
  (the mean of all 15,625 cells of that column) and its curve against queries;
* the queries until the global optimum of the search metric is found: the first query of a cell
  whose identity (``space.identity``: isomorphic cells count once, as they count as one query)
  is that of the column's best cell; mean +- std over the runs that found it, the fraction of runs
  that found it within ``max_queries``, and its empirical distribution;
* the search time per run.

A search that selects by a test column is an **oracle search** (benchmarks README, "Protocol"):
every table and plot is labelled *fair* (selects by validation) or *oracle*. The compact tables
have CIFAR-10 validation accuracy only, so searches on CIFAR-100 and ImageNet16-120 are oracle
searches.

A config (``configs/nasbench201/query_curves_*.py``) holds ``query_curves = dict(...)``, the
keyword arguments of :class:`QueryCurves`. Finished runs are kept in
``<out_dir>/runs/<search>__<method>.json`` (the official index and score of every query) under the
settings that made them, so an interrupted tool continues where it stopped and more runs extend
the earlier ones; outputs are ``curves.json``, ``curves.md`` and one PNG per search.
"""
import copy
import json
import os
import statistics
import time
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config
from mmengine.registry import DefaultScope

from ..registry import LOOPS
from ..space import build_space
from ..utils import write_text_atomic

#: the benchmark columns reported for the chosen architectures (dataset, split)
DEFAULT_REPORTS = (('cifar10', 'test'), ('cifar100', 'test'), ('ImageNet16-120', 'test'))


def mean_std(values: Sequence[float]) -> Dict[str, Any]:
    """Mean and sample standard deviation (0 for fewer than 2 values; None mean for none)."""
    values = [float(v) for v in values]
    if not values:
        return dict(mean=None, std=None, n=0)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return dict(mean=statistics.fmean(values), std=std, n=len(values))


def search_label(search: dict) -> str:
    return 'fair' if search['split'] == 'valid' else 'oracle'


def search_name(search: dict) -> str:
    return search.get('name') or f'{search["dataset"]}-{search["split"]}'


class QueryCurves:
    """Runs and summarises query-mode searches (see the module docstring).

    Args:
        methods: ``dict(name=..., config='configs/nasbench201/weaknas_query.py',
            overrides=dict(...))`` (or ``search_cfg=dict(...)`` instead of ``config``): a query-mode
            search config whose loop has a query budget (its class's ``query_budget`` argument,
            e.g. ``num_samples``), which is set to ``max_queries``.
        searches: ``dict(dataset=..., split='valid'|'test', name=optional)``: what the loops select
            by (the evaluator of every method is set to this column).
        runs: runs (seeds ``first_seed`` ... ``first_seed + runs - 1``) per search and method.
        max_queries: the length of the curves and of "found within" (queries).
        checkpoints: Q values of the chosen-architecture tables.
        reports: (dataset, split) columns the chosen architectures are reported on.
        space: the NAS-Bench-201 space config.
        benchmark: the benchmark (None: the shipped compact tables; see
            :func:`mmsgnas.benchmarks.open_benchmark`).
        out_dir: output folder.
    """

    def __init__(self, methods: List[dict], searches: List[dict], runs: int = 100,
                 first_seed: int = 0, max_queries: int = 1000,
                 checkpoints: Sequence[int] = (10, 30, 100, 300, 1000),
                 reports: Sequence[Sequence[str]] = DEFAULT_REPORTS,
                 space: Any = None, benchmark: Any = None,
                 out_dir: str = 'work_dirs/query_curves') -> None:
        from ..benchmarks import open_benchmark
        from ..benchmarks.nasbench201 import DATASET_SHAPES, normalize_dataset
        self.space = build_space(space or dict(type='mmsgnas.NasBench201Space'))
        self.benchmark_cfg = benchmark
        self.benchmark = open_benchmark(benchmark, space=self.space)
        if runs < 1 or max_queries < 1:
            raise ValueError(f'query_curves: runs and max_queries must be >= 1, got {runs} and '
                             f'{max_queries}')
        self.runs, self.first_seed, self.max_queries = int(runs), int(first_seed), int(max_queries)
        self.checkpoints = sorted(int(q) for q in checkpoints if 0 < int(q) <= self.max_queries)
        if not self.checkpoints:
            raise ValueError(f'query_curves: no checkpoint within 1 ... {max_queries}')
        self.reports = [(normalize_dataset(d), s) for d, s in reports]
        self.searches = []
        for search in searches:
            search = dict(search, dataset=normalize_dataset(search['dataset']))
            self.benchmark.check_query(search['dataset'], search['split'])
            self.searches.append(search)
        names = [search_name(s) for s in self.searches]
        if len(set(names)) != len(names):
            raise ValueError(f'query_curves: search names must differ, got {names}')
        self.methods = [self._method(m) for m in methods]
        names = [m['name'] for m in self.methods]
        if len(set(names)) != len(names):
            raise ValueError(f'query_curves: method names must differ, got {names}')
        self.shapes = DATASET_SHAPES
        self.out_dir = out_dir
        # every cell of the table, in official index order
        strings = self.benchmark.arch_strings
        self.keys = [self.space.identity(s) for s in strings]
        self._params: Dict[int, Dict[Any, float]] = {}

    def _method(self, cfg: dict) -> dict:
        cfg = dict(cfg)
        if 'name' not in cfg:
            raise ValueError(f'query_curves: a method needs a name, got {cfg}')
        if ('config' in cfg) == ('search_cfg' in cfg):
            raise ValueError(f'query_curves: method {cfg["name"]} needs either config= or '
                             'search_cfg=')
        if 'config' in cfg:
            loaded = Config.fromfile(cfg['config'])
            if loaded.get('search_cfg') is None:
                raise ValueError(f'{cfg["config"]} has no search_cfg')
            search_cfg = loaded.search_cfg.to_dict()
        else:
            search_cfg = copy.deepcopy(dict(cfg['search_cfg']))
        search_cfg.update(copy.deepcopy(dict(cfg.get('overrides') or {})))
        if search_cfg.get('evaluator') is None:
            raise ValueError(f'query_curves: method {cfg["name"]} is not a query-mode search (no '
                             'evaluator)')
        return dict(name=cfg['name'], search_cfg=search_cfg, config=cfg.get('config'))

    # -- running ---------------------------------------------------------------------------------
    def loop_cfg(self, method: dict, search: dict, seed: int) -> dict:
        cfg = copy.deepcopy(method['search_cfg'])
        evaluator = dict(cfg['evaluator'], dataset=search['dataset'], split=search['split'],
                         benchmark=self.benchmark_cfg)
        input_size, num_classes = self.shapes[search['dataset']]
        cfg.update(evaluator=evaluator, seed=seed, out_dir=None, resume=False, log_interval=0,
                   flops_budget=None, space=self.space, input_size=input_size,
                   num_classes=num_classes)
        # every loop stops at the curves' length (num_samples of random search, max_queries of
        # REA and WeakNAS) instead of running its config's longer budget
        cfg[self.query_budget(method)] = self.max_queries
        return cfg

    @staticmethod
    def query_budget(method: dict) -> str:
        """The argument of the method's loop that bounds its queries."""
        with DefaultScope.overwrite_default_scope('mmsgnas'):
            loop_cls = LOOPS.get(method['search_cfg']['type'])
        key = getattr(loop_cls, 'query_budget', None)
        if key is None:
            raise ValueError(f'query_curves: method {method["name"]}: {loop_cls.__name__} has no '
                             'query budget (num_samples / max_queries) to bound its curve by')
        return key

    def run_one(self, method: dict, search: dict, seed: int) -> dict:
        """One search: the official index and score of every query, in order, and its time."""
        cfg = self.loop_cfg(method, search, seed)
        with DefaultScope.overwrite_default_scope('mmsgnas'):
            loop = LOOPS.build(cfg)
        # parameter counts (a model built on the meta device per network) are the same in every
        # run: share them between the runs of one data set instead of rebuilding each time
        loop._params = self._params.setdefault(cfg['num_classes'], {})
        loop.run()
        return dict(seed=seed, seconds=loop.seconds,
                    index=[self.benchmark.index(self.space.to_text(c.arch))
                           for c in loop.candidates],
                    score=[round(c.accuracy, 6) for c in loop.candidates])

    def run_settings(self, method: dict, search: dict) -> dict:
        """What a file of finished runs must match to be reused."""
        return json.loads(json.dumps(dict(
            search_cfg=self.loop_cfg(method, search, 0), benchmark=repr(self.benchmark)),
            default=repr))

    def collect(self, method: dict, search: dict) -> List[dict]:
        """The runs of (method, search), reusing finished ones; returns them in seed order."""
        path = os.path.join(self.out_dir, 'runs',
                            f'{search_name(search)}__{method["name"]}.json')
        settings = self.run_settings(method, search)
        done: Dict[int, dict] = {}
        if os.path.isfile(path):
            with open(path) as f:
                saved = json.load(f)
            if saved.get('settings') == settings:
                done = {int(r['seed']): r for r in saved['runs']}
            else:
                print(f'{path}: made with other settings; running again')
        seeds = range(self.first_seed, self.first_seed + self.runs)
        todo = [s for s in seeds if s not in done]
        started, last_write = time.perf_counter(), time.perf_counter()
        for count, seed in enumerate(todo, 1):
            done[seed] = self.run_one(method, search, seed)
            if time.perf_counter() - last_write > 30 or count == len(todo):
                write_text_atomic(path, json.dumps(dict(
                    settings=settings, runs=[done[s] for s in sorted(done)])))
                last_write = time.perf_counter()
                elapsed = time.perf_counter() - started
                print(f'{search_name(search)} / {method["name"]}: {count}/{len(todo)} runs '
                      f'({elapsed:.0f} s, {elapsed / count:.2f} s per run)', flush=True)
        return [done[s] for s in seeds]

    # -- summarising -----------------------------------------------------------------------------
    def optimum(self, search: dict) -> dict:
        """The best cells of the search column and their identity classes."""
        values = self.benchmark.accuracies(search['dataset'], search['split'])
        best = float(values.max())
        cells = [int(i) for i in np.flatnonzero(values == best)]
        keys = {self.keys[i] for i in cells}
        members = [i for i, k in enumerate(self.keys) if k in keys]
        return dict(value=best, cells=cells, arch=[self.benchmark.arch_string(i) for i in cells],
                    class_size=len(members),
                    class_values=sorted((float(values[i]) for i in members), reverse=True),
                    keys=keys)

    def chosen(self, run: dict, flops: np.ndarray) -> List[int]:
        """Per query q (1-based position q - 1), the official index of the cell the search metric
        ranks first among the first q queries (higher score, then lower FLOPs, then earlier)."""
        out, best = [], None
        for index, score in zip(run['index'], run['score']):
            if best is None or score > best[0] or (score == best[0] and flops[index] < best[1]):
                best = (score, flops[index], index)
            out.append(best[2])
        return out

    def summarise_method(self, search: dict, runs: List[dict], optimum: dict) -> dict:
        length = self.max_queries
        flops = self.benchmark.flops_array(search['dataset'])
        curves, found, short = [], [], 0
        chosen_tests = {f'{d}-{s}': [] for d, s in self.reports}
        for run in runs:
            if len(run['score']) < length:
                short += 1
            best = np.maximum.accumulate(np.asarray(run['score'], dtype=float))
            curves.append(np.concatenate([best, np.full(max(0, length - len(best)), best[-1])])
                          [:length])
            hit = next((q + 1 for q, i in enumerate(run['index']) if self.keys[i] in
                        optimum['keys']), None)
            found.append(hit)
            chosen = self.chosen(run, flops)
            chosen += [chosen[-1]] * max(0, length - len(chosen))
            chosen = np.asarray(chosen[:length])
            for d, s in self.reports:
                chosen_tests[f'{d}-{s}'].append(self.benchmark.accuracies(d, s)[chosen])
        curves = np.stack(curves)
        within = [q for q in found if q is not None and q <= length]
        result = dict(
            runs=len(runs), runs_shorter_than_max_queries=short,
            queries=mean_std([len(r['score']) for r in runs]),
            seconds=mean_std([r['seconds'] for r in runs]),
            best_so_far=dict(mean=curves.mean(0).tolist(), std=curves.std(0).tolist()),
            queries_to_optimum=dict(
                per_run=found, found=mean_std([q for q in found if q is not None]),
                median=float(np.median([q for q in found if q is not None])) if any(
                    q is not None for q in found) else None,
                not_found=sum(q is None for q in found),
                fraction_within_max=len(within) / len(runs)),
            chosen={})
        for column, values in chosen_tests.items():
            values = np.stack(values)
            d, s = column.rsplit('-', 1)
            average = float(self.benchmark.accuracies(d, s).mean())
            at = {}
            for q in self.checkpoints:
                cell = mean_std(values[:, q - 1])
                cell['ri'] = 100 * (cell['mean'] - average) / average
                at[str(q)] = cell
            result['chosen'][column] = dict(
                average_cell=average, at=at, mean=values.mean(0).tolist(),
                std=values.std(0).tolist())
        return result

    def run(self) -> dict:
        os.makedirs(self.out_dir, exist_ok=True)
        result = dict(max_queries=self.max_queries, checkpoints=self.checkpoints,
                      runs=self.runs, first_seed=self.first_seed,
                      benchmark=repr(self.benchmark), reports=[f'{d}-{s}' for d, s in self.reports],
                      methods=[dict(name=m['name'], config=m['config'],
                                    search_cfg=json.loads(json.dumps(m['search_cfg'],
                                                                     default=repr)))
                               for m in self.methods],
                      searches=[])
        for search in self.searches:
            optimum = self.optimum(search)
            entry = dict(name=search_name(search), dataset=search['dataset'],
                         split=search['split'], kind=search_label(search),
                         optimum={k: v for k, v in optimum.items() if k != 'keys'},
                         methods={})
            for method in self.methods:
                runs = self.collect(method, search)
                entry['methods'][method['name']] = self.summarise_method(search, runs, optimum)
            result['searches'].append(entry)
            self.write(result)
        return result

    def write(self, result: dict) -> None:
        write_text_atomic(os.path.join(self.out_dir, 'curves.json'), json.dumps(result))
        write_text_atomic(os.path.join(self.out_dir, 'curves.md'), markdown(result))
        for search in result['searches']:
            plot_search(result, search, os.path.join(self.out_dir, f'{search["name"]}.png'))


def _pm(cell: dict, digits: int = 2) -> str:
    if cell['mean'] is None:
        return '-'
    return f'{cell["mean"]:.{digits}f} ± {cell["std"]:.{digits}f}'


def markdown(result: dict) -> str:
    """curves.md: per search, queries to the optimum and the chosen architectures' test accuracy
    at the checkpoints, every table labelled fair or oracle."""
    lines = [f'# Query-mode search on NAS-Bench-201 ({result["benchmark"]})', '',
             f'{result["runs"]} runs per method (seeds {result["first_seed"]} ... '
             f'{result["first_seed"] + result["runs"] - 1}); curves up to '
             f'{result["max_queries"]} queries. A query is one distinct network: isomorphic cells '
             'count once. *fair*: the search selects by validation accuracy; *oracle*: it selects '
             'by a test column, so its test numbers are not a fair accuracy claim. CIFAR-10 '
             'numbers come from NAS-Bench-201 v1_1, CIFAR-100 and ImageNet16-120 from NATS-Bench '
             '(the compact tables).', '']
    for search in result['searches']:
        opt = search['optimum']
        lines += [f'## {search["name"]} ({search["kind"]}: selects by {search["dataset"]} '
                  f'{search["split"]})', '',
                  f'Global optimum {opt["value"]:.4f} % at {", ".join(opt["arch"])}; its '
                  f'identity class has {opt["class_size"]} cell(s) (recorded values '
                  f'{", ".join(f"{v:.2f}" for v in opt["class_values"][:6])}'
                  f'{" ..." if len(opt["class_values"]) > 6 else ""}).', '',
                  '| method | queries to the optimum, mean ± std (runs that found it) | median '
                  f'| found within {result["max_queries"]} | not found in the run | search time '
                  'per run (s) | queries per run |', '|---|---|---|---|---|---|---|']
        for name, m in search['methods'].items():
            q = m['queries_to_optimum']
            median = '-' if q['median'] is None else f'{q["median"]:.0f}'
            lines.append(f'| {name} | {_pm(q["found"], 1)} (n={q["found"]["n"]}) | {median} | '
                         f'{100 * q["fraction_within_max"]:.0f} % | {q["not_found"]} | '
                         f'{_pm(m["seconds"])} | {m["queries"]["mean"]:.0f} |')
        lines.append('')
        for column in result['reports']:
            average = next(iter(search['methods'].values()))['chosen'][column]['average_cell']
            lines += [f'Test accuracy (%) on **{column}** of the architecture the search metric '
                      f'picks after Q queries ({search["kind"]}), mean ± std over runs; RI over '
                      f'the average cell ({average:.2f} %).', '',
                      '| method |' + ''.join(f' Q={q} | RI |' for q in result['checkpoints']),
                      '|---|' + '---|---|' * len(result['checkpoints'])]
            for name, m in search['methods'].items():
                at = m['chosen'][column]['at']
                lines.append(f'| {name} |' + ''.join(
                    f' {_pm(at[str(q)])} | {at[str(q)]["ri"]:+.2f} |'
                    for q in result['checkpoints']))
            lines.append('')
        lines += [f'Plot: `{search["name"]}.png`.', '']
    return '\n'.join(lines)


def plot_search(result: dict, search: dict, path: str) -> None:
    """Best search score so far, the chosen architectures' test accuracy on every reported column
    (mean ± std bands over runs) and the fraction of runs that found the optimum, against
    queries."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    columns = result['reports']
    panels = 2 + len(columns)
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.8))
    x = np.arange(1, result['max_queries'] + 1)

    def band(ax, mean, std, label):
        mean, std = np.asarray(mean), np.asarray(std)
        line, = ax.plot(x, mean, label=label)
        ax.fill_between(x, mean - std, mean + std, alpha=0.15, color=line.get_color())

    for name, m in search['methods'].items():
        band(axes[0], m['best_so_far']['mean'], m['best_so_far']['std'], name)
        for ax, column in zip(axes[1:], columns):
            band(ax, m['chosen'][column]['mean'], m['chosen'][column]['std'], name)
        hits = sorted(q for q in m['queries_to_optimum']['per_run'] if q is not None)
        frac = np.searchsorted(hits, x, side='right') / m['runs']
        axes[-1].plot(x, frac, label=name)
    axes[0].set_ylabel(f'best {search["dataset"]} {search["split"]} accuracy so far (%)')
    axes[0].axhline(search['optimum']['value'], color='gray', linestyle=':', linewidth=1)
    for ax, column in zip(axes[1:], columns):
        ax.set_ylabel(f'{column} accuracy of the chosen cell (%)')
    axes[-1].set_ylabel('fraction of runs that found the optimum')
    for ax in axes:
        ax.set_xscale('log')
        ax.set_xlabel('queries')
        ax.legend(fontsize=7)
    fig.suptitle(f'{search["name"]} ({search["kind"]} search), {result["runs"]} runs')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_query_curves(config: str, cfg_options: Optional[dict] = None,
                     out_dir: Optional[str] = None, runs: Optional[int] = None) -> dict:
    """Run the ``query_curves`` of a config file."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if 'query_curves' not in cfg:
        raise ValueError(f'{config} has no query_curves = dict(...)')
    settings = cfg.query_curves.to_dict()
    if out_dir is not None:
        settings['out_dir'] = out_dir
    if runs is not None:
        settings['runs'] = runs
    return QueryCurves(**settings).run()
