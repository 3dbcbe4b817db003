"""Search loops on any space (registered in LOOPS): random search, SPOS evolution and regularised
evolution; WeakNAS lives in :mod:`mmsgnas.engine.weaknas`.

Every loop scores candidates with an architecture evaluator (``ARCH_EVALUATORS``):

* supernet mode (default): :class:`SubnetEvaluator` on the runner's trained supernet (inherited
  weights, BN recalibration), the loop's ``dataloader`` being the split candidates are scored on;
* query mode: ``evaluator=dict(type='mmsgnas.BenchmarkEvaluator', ...)`` scores by looking the
  architecture up in a recorded benchmark; then no runner or supernet is needed, and the number of
  queries is the search cost.

Loops keep only candidates within the cost budget (exact cost from the space's table), log their
progress, save their state to ``<out_dir>/search_state.json`` every ``save_interval`` evaluations
(an interrupted search started again with ``resume=True`` continues where it stopped and ends with
the same result; a state saved with another space, budget, seed, supernet or data is refused) and
write ``best_subnet.yaml`` and ``candidates.csv`` (every evaluated candidate) into ``out_dir``
(relative to the runner's work_dir; ``out_dir=None`` writes nothing, for in-memory harness runs).
"""
import math
import os
import random
import time
from typing import Any, Dict, List, Optional, Union

from mmengine import dist
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from ..cost import check_budget, sample_within_budget
from ..cost.switch import CostCfg, build_cost_table, cost_settings, normalise_cost_cfg
from ..models import count_params
from ..registry import ARCH_EVALUATORS, LOOPS
from ..space import SearchSpace, build_space
from .search_record import (Candidate, load_state, ranked, rng_from_json, rng_state_to_json,
                            save_state, write_best, write_candidates)


class SearchLoop(BaseLoop):
    """Shared machinery of the search loops (subclasses implement :meth:`search`).

    Args:
        runner: the runner whose model is the trained supernet classifier (None in query mode).
        dataloader: the split candidates are scored on in supernet mode.
        flops_budget: upper bound of the cost (MFLOPs at ``input_size``, or ms with a latency
            ``cost``); None: no budget.
        input_size: input resolution the costs are counted at (224 for ImageNet).
        min_flops: optional lower bound (0: none).
        evaluator: config of a query-mode evaluator (e.g. ``mmsgnas.BenchmarkEvaluator``); None
            scores on the supernet.
        space: config of the space (query mode); by default the supernet's.
        num_classes: classifier outputs the cost table counts (default: the supernet head's, or
            10 in query mode).
        recal_dataloader, recal_batches: BN recalibration on training batches (0: none).
        metrics, score_key: what the supernet evaluator scores (top-1 by default).
        seed: seed of the loop's own random generator (saved in the state).
        cache_data: keep the preprocessed evaluation and recalibration batches in memory.
        save_interval: save the state every this many evaluations.
        out_dir: output folder, relative to the runner's work_dir; None: no files.
        resume: continue from ``<out_dir>/search_state.json`` when it exists.
        cost: ``dict(type='flops')`` (default) or ``dict(type='latency', table=PATH)``: the
            budget, the kept candidates, sampling and the logs are then in ms of that measured
            table (see :func:`mmsgnas.cost.build_cost_table`).
    """
    method = 'search'
    # the argument that bounds the number of evaluated architectures (None: the loop has no
    # such bound, e.g. evolution runs for generations); query-mode harnesses set it
    query_budget: Optional[str] = None

    def __init__(self, runner=None, dataloader: Union[dict, object, None] = None,
                 flops_budget: Optional[float] = None, input_size: int = 224,
                 min_flops: float = 0.0, evaluator: Optional[dict] = None,
                 space: Union[dict, SearchSpace, None] = None, num_classes: Optional[int] = None,
                 recal_dataloader: Union[dict, object, None] = None, recal_batches: int = 0,
                 metrics: Union[dict, list, None] = None, score_key: str = 'accuracy/top1',
                 seed: int = 0, cache_data: bool = True, save_interval: int = 50,
                 log_interval: int = 10, out_dir: Optional[str] = 'search',
                 resume: bool = False, cost: CostCfg = None) -> None:
        super().__init__(runner, dataloader)
        model = self.model
        if space is not None:
            self.space = build_space(space)
        elif model is not None:
            self.space = model.backbone.space
        else:
            raise ValueError(f'{type(self).__name__}: give a space (query mode) or a runner whose '
                             'model is a supernet')
        if num_classes is None:
            num_classes = model.head.num_classes if model is not None else 10
        self.cost_cfg = normalise_cost_cfg(cost)
        self.cost_table = build_cost_table(self.space, input_size, num_classes, self.cost_cfg)
        self.flops_budget = math.inf if flops_budget is None else float(flops_budget)
        self.min_flops = float(min_flops)
        if flops_budget is not None or min_flops:
            check_budget(self.cost_table, self.flops_budget, self.min_flops)
        self.input_size = input_size
        self.evaluator_cfg = evaluator
        if evaluator is None and model is None:
            raise ValueError(f'{type(self).__name__}: supernet mode needs a runner with a model; '
                             'pass evaluator=dict(type=...) for query mode')
        if isinstance(recal_dataloader, dict):
            recal_dataloader = runner.build_dataloader(recal_dataloader, seed=seed)
        self.recal_dataloader, self.recal_batches = recal_dataloader, recal_batches
        self.metrics, self.score_key = metrics, score_key
        self.cache_data = cache_data
        self.seed, self.save_interval, self.log_interval = seed, save_interval, log_interval
        if out_dir is not None and runner is not None:
            out_dir = os.path.join(runner.work_dir, out_dir)
        self.out_dir = out_dir
        self.resume = resume
        self.rng = random.Random(seed)
        self.candidates: List[Candidate] = []
        self._scores: Dict[Any, Candidate] = {}
        self._params: Dict[Any, float] = {}
        self._seconds_before = 0.0   # search time of earlier (interrupted) runs
        self._started: Optional[float] = None
        self._evaluator = None
        self._unsaved = 0

    @property
    def model(self):
        if self._runner is None:
            return None
        model = self._runner.model
        return model.module if is_model_wrapper(model) else model

    @property
    def logger(self):
        return self._runner.logger if self._runner is not None else MMLogger.get_current_instance()

    @property
    def seconds(self) -> float:
        """Wall time of the search so far, over all runs of it (resumed runs add up)."""
        running = 0.0 if self._started is None else time.perf_counter() - self._started
        return self._seconds_before + running

    @property
    def queries(self) -> int:
        """Distinct architectures evaluated (isomorphic cells count once in query mode)."""
        return len(self.candidates)

    def prepare_evaluator(self):
        """Build the evaluator once (in supernet mode this reads, and by default caches, the
        data)."""
        if self._evaluator is None:
            if self.evaluator_cfg is not None:
                self._evaluator = ARCH_EVALUATORS.build(self.evaluator_cfg,
                                                        default_args=dict(space=self.space))
            else:
                from ..evaluation.subnet_evaluator import SubnetEvaluator
                self._evaluator = SubnetEvaluator(
                    self.model, self.dataloader, self.recal_dataloader, self.recal_batches,
                    self.cache_data, self.metrics, self.score_key)
        return self._evaluator

    def settings(self) -> dict:
        """What must match for a saved state to be resumed (the length of the search, e.g.
        num_samples or max_generations, may grow: the search then continues)."""
        own = dict(method=self.method, flops_budget=None if math.isinf(self.flops_budget)
                   else self.flops_budget, min_flops=self.min_flops,
                   input_size=self.input_size, seed=self.seed, space=self.space.settings(),
                   evaluator=self.prepare_evaluator().settings())
        cost = cost_settings(self.cost_cfg)
        if cost is not None:   # FLOPs searches keep the states they always wrote
            own['cost'] = cost
        return own

    # -- candidates ------------------------------------------------------------------------------
    def flops(self, arch: Any) -> float:
        return self.cost_table.arch_cost(arch)

    def within_budget(self, arch: Any) -> bool:
        return self.min_flops <= self.flops(arch) <= self.flops_budget

    def sample(self) -> Any:
        if math.isinf(self.flops_budget) and not self.min_flops:
            return self.space.sample(self.rng)
        return sample_within_budget(self.rng, self.cost_table, self.flops_budget, self.min_flops)

    def params(self, arch: Any) -> float:
        """Parameters (M) of the stand-alone classifier (built on the meta device: no memory)."""
        key = self.space.identity(arch)
        if key not in self._params:
            self._params[key] = count_params(self.space, arch, self.cost_table.num_classes)
        return self._params[key]

    def seen(self, arch: Any) -> bool:
        """Whether ``arch`` (or one the evaluator cannot tell from it) was evaluated already."""
        return self.prepare_evaluator().key(arch) in self._scores

    def evaluate(self, arch: Any, **extra) -> Candidate:
        """Score ``arch`` (once: a repeated key returns its first result)."""
        evaluator = self.prepare_evaluator()
        key = evaluator.key(arch)
        if key in self._scores:
            return self._scores[key]
        if not self.within_budget(arch):  # the loops never propose these; a guard, not a filter
            raise AssertionError(f'{self.space.to_text(arch)} costs {self.flops(arch):.4f}, '
                                 'outside the budget')
        candidate = Candidate(arch, self.flops(arch), self.params(arch), evaluator(arch), extra)
        self.candidates.append(candidate)
        self._scores[key] = candidate
        self._unsaved += 1
        if self._unsaved >= self.save_interval:
            self.save()
        if self.log_interval and len(self.candidates) % self.log_interval == 0:
            self.log_progress()
        return candidate

    @property
    def best(self) -> Optional[Candidate]:
        return ranked(self.candidates)[0] if self.candidates else None

    def log_progress(self, prefix: str = '') -> None:
        best = self.best
        budget = '' if math.isinf(self.flops_budget) else \
            f', budget {self.flops_budget:g} {self.cost_table.unit}'
        self.logger.info(
            f'[{self.method}] {prefix}{len(self.candidates)} evaluated{budget}; best '
            f'{best.accuracy:.2f} at {best.flops:.3f} {self.cost_table.unit}; last '
            f'{self.candidates[-1].accuracy:.2f}')

    # -- state -----------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return dict(settings=self.settings(), rng=rng_state_to_json(self.rng),
                    seconds=self.seconds,
                    candidates=[c.to_json(self.space) for c in self.candidates])

    def load_state_dict(self, state: dict) -> None:
        self.rng = rng_from_json(state['rng'])
        self._seconds_before = float(state['seconds'])
        self.candidates = [Candidate.from_json(c, self.space) for c in state['candidates']]
        key = self.prepare_evaluator().key
        self._scores = {key(c.arch): c for c in self.candidates}

    def save(self) -> None:
        if self.out_dir is not None and dist.is_main_process():
            save_state(self.out_dir, self.state_dict())
        self._unsaved = 0

    # -- running ---------------------------------------------------------------------------------
    def search(self) -> None:
        raise NotImplementedError  # each loop is its search procedure

    def run(self) -> Candidate:
        """Search (resuming when asked and a state exists), write the outputs, return the best.
        The data are read (and cached) before the clock starts."""
        self.prepare_evaluator()
        if self.resume and self.out_dir is not None:
            state = load_state(self.out_dir, self.settings())
            if state is not None:
                self.load_state_dict(state)
                self.logger.info(f'[{self.method}] resumed from {self.out_dir} with '
                                 f'{len(self.candidates)} candidates evaluated')
        self._started = time.perf_counter()
        self.search()
        self.save()
        best = self.best
        if self.out_dir is not None and dist.is_main_process():
            write_candidates(self.out_dir, self.candidates, self.space)
            budget = None if math.isinf(self.flops_budget) else self.flops_budget
            path = write_best(self.out_dir, best, dict(
                source=self.method, flops_budget=budget, seed=self.seed,
                evaluated=len(self.candidates), search_seconds=round(self.seconds, 1)),
                self.space)
            self.logger.info(
                f'[{self.method}] done: {len(self.candidates)} candidates in {self.seconds:.1f} s; '
                f'best {best.accuracy:.2f} at {best.flops:.3f} {self.cost_table.unit} -> {path}')
        return best


@LOOPS.register_module()
class RandomSearchLoop(SearchLoop):
    """Random search: ``num_samples`` architectures from the space's sampling distribution within
    the budget (rejection sampling on the exact cost), each evaluated; the best is kept (the
    paper's baseline: 1,000 samples). Repeats (of the evaluator's key) are redrawn."""
    method = 'random'
    query_budget = 'num_samples'

    def __init__(self, runner=None, dataloader=None, num_samples: int = 1000,
                 max_draws: int = 100000, **kwargs) -> None:
        super().__init__(runner, dataloader, **kwargs)
        self.num_samples, self.max_draws = num_samples, max_draws

    def search(self) -> None:
        draws = 0
        while len(self.candidates) < self.num_samples and draws < self.max_draws:
            arch = self.sample()
            draws += 1
            if not self.seen(arch):
                self.evaluate(arch)


@LOOPS.register_module()
class EvolutionSearchLoop(SearchLoop):
    """Evolution as in SPOS (Guo et al., 2020): an initial population of ``population_size``
    random architectures within the budget; each later generation has ``num_mutation`` children
    made by mutating (each unit resampled with ``mutation_prob``) and ``num_crossover`` made by
    uniform crossover of parents drawn from the top ``top_k`` of everything evaluated so far.
    Children over budget or already evaluated are rejected and redrawn (up to ``max_trials`` per
    child; the rest are filled with random architectures within the budget).
    """
    method = 'evolution'

    def __init__(self, runner=None, dataloader=None, population_size: int = 50, top_k: int = 10,
                 max_generations: int = 20, num_mutation: int = 25, num_crossover: int = 25,
                 mutation_prob: float = 0.1, max_trials: int = 100, **kwargs) -> None:
        super().__init__(runner, dataloader, **kwargs)
        self.population_size, self.top_k = population_size, top_k
        self.max_generations = max_generations
        self.num_mutation, self.num_crossover = num_mutation, num_crossover
        self.mutation_prob, self.max_trials = mutation_prob, max_trials
        self.generation = 0
        self.population: Optional[List[Any]] = None

    def settings(self) -> dict:
        return dict(super().settings(), population_size=self.population_size, top_k=self.top_k,
                    num_mutation=self.num_mutation,
                    num_crossover=self.num_crossover, mutation_prob=self.mutation_prob)

    def state_dict(self) -> dict:
        population = None if self.population is None else \
            [self.space.to_text(a) for a in self.population]
        return dict(super().state_dict(), generation=self.generation, population=population)

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.generation = int(state['generation'])
        population = state['population']
        self.population = None if population is None else \
            [self.space.from_text(a, 'search state') for a in population]

    def top(self) -> List[Candidate]:
        return ranked(self.candidates)[:self.top_k]

    def _children(self, count: int, make) -> List[Any]:
        key = self.prepare_evaluator().key
        children: List[Any] = []
        for _ in range(count):
            for _ in range(self.max_trials):
                child = make()
                if (self.within_budget(child) and not self.seen(child)
                        and key(child) not in {key(c) for c in children}):
                    children.append(child)
                    break
        return children

    def next_population(self) -> List[Any]:
        key = self.prepare_evaluator().key
        if self.generation == 0:
            population: List[Any] = []
            for _ in range(100 * self.population_size):
                if len(population) == self.population_size:
                    break
                arch = self.sample()
                if key(arch) not in {key(a) for a in population}:
                    population.append(arch)
            return population
        parents = [c.arch for c in self.top()]
        space = self.space
        mutated = self._children(
            self.num_mutation, lambda: space.mutate(self.rng.choice(parents), self.mutation_prob,
                                                    self.rng))
        crossed = self._children(
            self.num_crossover, lambda: space.crossover(*self.rng.sample(parents, 2), self.rng)
            if len(parents) > 1 else parents[0])
        taken = {key(c) for c in mutated}
        population = mutated + [c for c in crossed if key(c) not in taken]
        taken = {key(c) for c in population}
        for _ in range(100 * (self.num_mutation + self.num_crossover)):
            if len(population) >= self.num_mutation + self.num_crossover:
                break
            arch = self.sample()
            if not self.seen(arch) and key(arch) not in taken:
                population.append(arch)
                taken.add(key(arch))
        return population

    def search(self) -> None:
        while self.generation < self.max_generations:
            if self.population is None:
                self.population = self.next_population()
                self.save()  # the rng state after drawing this generation
            for arch in self.population:
                self.evaluate(arch, generation=self.generation)
            self.generation += 1
            self.population = None
            best, top = self.best, self.top()
            self.logger.info(
                f'[evolution] generation {self.generation}/{self.max_generations}: '
                f'{len(self.candidates)} evaluated; top-{self.top_k} mean '
                f'{sum(c.accuracy for c in top) / len(top):.2f}, best '
                f'{best.accuracy:.2f} at {best.flops:.3f} {self.cost_table.unit}')
            self.save()


@LOOPS.register_module()
class RegularizedEvolutionLoop(SearchLoop):
    """Regularised (aging) evolution, REA (Real et al., 2019), as NAS-Bench-201 runs it: a
    population of ``population_size`` random architectures; then, until ``max_queries``
    evaluations, draw ``sample_size`` members at random, mutate the best of them (each unit
    resampled with ``mutation_prob``, redrawn until it is new and within the budget), evaluate the
    child, add it and remove the oldest member."""
    method = 'rea'
    query_budget = 'max_queries'

    def __init__(self, runner=None, dataloader=None, population_size: int = 10,
                 sample_size: int = 3, max_queries: int = 1000, mutation_prob: float = 1 / 6,
                 max_trials: int = 1000, **kwargs) -> None:
        super().__init__(runner, dataloader, **kwargs)
        self.population_size, self.sample_size = population_size, sample_size
        self.max_queries, self.mutation_prob = max_queries, mutation_prob
        self.max_trials = max_trials
        self.population: List[int] = []   # indices into self.candidates, oldest first

    def settings(self) -> dict:
        return dict(super().settings(), population_size=self.population_size,
                    sample_size=self.sample_size, mutation_prob=self.mutation_prob)

    def state_dict(self) -> dict:
        return dict(super().state_dict(), population=list(self.population))

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.population = [int(i) for i in state['population']]

    def _child(self, parent: Any) -> Optional[Any]:
        for _ in range(self.max_trials):
            child = self.space.mutate(parent, self.mutation_prob, self.rng)
            if self.within_budget(child) and not self.seen(child):
                return child
        return None

    def search(self) -> None:
        while len(self.population) < self.population_size and \
                len(self.candidates) < self.max_queries:
            arch = self.sample()
            if not self.seen(arch):
                self.evaluate(arch, cycle=0)
                self.population.append(len(self.candidates) - 1)
        stalled = 0
        while len(self.candidates) < self.max_queries and stalled < self.max_trials:
            drawn = self.rng.sample(self.population, min(self.sample_size, len(self.population)))
            parent = self.candidates[max(drawn, key=lambda i: self.candidates[i].accuracy)]
            child = self._child(parent.arch)
            if child is None:   # every mutant of this parent was seen: a fresh random one
                child = self.sample()
                if self.seen(child):
                    stalled += 1
                    continue
            stalled = 0
            self.evaluate(child, cycle=len(self.candidates) - self.population_size + 1)
            self.population.append(len(self.candidates) - 1)
            self.population.pop(0)
