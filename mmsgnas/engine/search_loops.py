"""Random search and evolution on a trained supernet, as mmengine loops (registered in LOOPS).

Both evaluate candidates with :class:`SubnetEvaluator` (inherited weights, optional BN
recalibration), keep only candidates within the FLOPs budget (exact cost from
:mod:`mmsgnas.cost`), log their progress, save their state to ``<out_dir>/search_state.json``
every ``save_interval`` evaluations (an interrupted search started again with ``resume=True``
continues where it stopped and ends with the same result), and write ``best_subnet.yaml`` and
``candidates.csv`` (every evaluated candidate) into ``<work_dir>/<out_dir>``.
"""
import os
import random
import time
from typing import Dict, List, Optional, Union

import torch
from mmengine import dist
from mmengine.runner import BaseLoop

from ..cost import build_cost_table, check_budget, sample_within_budget
from ..evaluation.subnet_evaluator import SubnetEvaluator
from ..models import build_searched_classifier
from ..registry import LOOPS
from ..space import Arch, crossover, mutate
from .search_record import (Candidate, load_state, ranked, rng_from_json, rng_state_to_json,
                            save_state, write_best, write_candidates)


class SupernetSearchLoop(BaseLoop):
    """Shared machinery of the search loops (subclasses implement :meth:`search`).

    Args:
        runner: the runner; its model is the trained supernet classifier.
        dataloader: the split candidates are scored on (e.g. the held-out / val split).
        flops_budget: upper bound in MFLOPs at ``input_size``.
        input_size: input resolution the FLOPs are counted at (224 for ImageNet).
        min_flops: optional lower bound in MFLOPs (0: none).
        recal_dataloader, recal_batches: BN recalibration on training batches (0: none).
        seed: seed of the loop's own random generator (saved in the state).
        cache_data: keep the preprocessed evaluation and recalibration batches in memory
            (a few thousand images; set False for ImageNet-size splits).
        save_interval: save the state every this many evaluations.
        out_dir: output folder, relative to the runner's work_dir.
        resume: continue from ``<out_dir>/search_state.json`` when it exists.
    """
    method = 'search'

    def __init__(self, runner, dataloader: Union[dict, object], flops_budget: float,
                 input_size: int, min_flops: float = 0.0,
                 recal_dataloader: Union[dict, object, None] = None, recal_batches: int = 0,
                 seed: int = 0, cache_data: bool = True, save_interval: int = 50, log_interval: int = 10,
                 out_dir: str = 'search', resume: bool = False) -> None:
        super().__init__(runner, dataloader)
        model = self.model
        self.cost_table = build_cost_table(model.backbone.macro, input_size,
                                           model.head.num_classes)
        self.flops_budget, self.min_flops = float(flops_budget), float(min_flops)
        check_budget(self.cost_table, self.flops_budget, self.min_flops)
        self.input_size = input_size
        if isinstance(recal_dataloader, dict):
            recal_dataloader = runner.build_dataloader(recal_dataloader, seed=seed)
        self.recal_dataloader, self.recal_batches = recal_dataloader, recal_batches
        self.cache_data = cache_data
        self.seed, self.save_interval, self.log_interval = seed, save_interval, log_interval
        self.out_dir = os.path.join(runner.work_dir, out_dir)
        self.resume = resume
        self.rng = random.Random(seed)
        self.candidates: List[Candidate] = []
        self._scores: Dict[Arch, Candidate] = {}
        self._params: Dict[Arch, float] = {}
        self._seconds_before = 0.0   # search time of earlier (interrupted) runs
        self._started: Optional[float] = None
        self._evaluator: Optional[SubnetEvaluator] = None
        self._unsaved = 0

    @property
    def model(self):
        model = self.runner.model
        return getattr(model, 'module', model)

    @property
    def seconds(self) -> float:
        """Wall time of the search so far, over all runs of it (resumed runs add up)."""
        running = 0.0 if self._started is None else time.perf_counter() - self._started
        return self._seconds_before + running

    def prepare_evaluator(self) -> SubnetEvaluator:
        """Build the evaluator once (this reads, and by default caches, the data)."""
        if self._evaluator is None:
            self._evaluator = SubnetEvaluator(self.model, self.dataloader, self.recal_dataloader,
                                              self.recal_batches, self.cache_data)
        return self._evaluator

    def settings(self) -> dict:
        """What must match for a saved state to be resumed (the length of the search, e.g.
        num_samples or max_generations, may grow: the search then continues)."""
        return dict(method=self.method, flops_budget=self.flops_budget,
                    min_flops=self.min_flops, input_size=self.input_size, seed=self.seed,
                    recal_batches=self.recal_batches)

    # -- candidates ------------------------------------------------------------------------------
    def flops(self, arch: Arch) -> float:
        return self.cost_table.arch_mflops(arch)

    def within_budget(self, arch: Arch) -> bool:
        return self.min_flops <= self.flops(arch) <= self.flops_budget

    def sample(self) -> Arch:
        return sample_within_budget(self.rng, self.cost_table, self.flops_budget, self.min_flops)

    def params(self, arch: Arch) -> float:
        """Parameters (M) of the stand-alone classifier (built on the meta device: no memory)."""
        if arch not in self._params:
            with torch.device('meta'):
                classifier = build_searched_classifier(arch, self.model.backbone.macro,
                                                       self.cost_table.num_classes)
            self._params[arch] = sum(p.numel() for p in classifier.parameters()) / 1e6
        return self._params[arch]

    def evaluate(self, arch: Arch) -> Candidate:
        """Score ``arch`` (once: a repeated architecture returns its first result)."""
        if arch in self._scores:
            return self._scores[arch]
        if not self.within_budget(arch):  # the loops never propose these; a guard, not a filter
            raise AssertionError(f'{arch} costs {self.flops(arch):.4f} MFLOPs, outside the budget')
        accuracy = self.prepare_evaluator()(arch)
        candidate = Candidate(arch, self.flops(arch), self.params(arch), accuracy)
        self.candidates.append(candidate)
        self._scores[arch] = candidate
        self._unsaved += 1
        if self._unsaved >= self.save_interval:
            self.save()
        if len(self.candidates) % self.log_interval == 0:
            self.log_progress()
        return candidate

    @property
    def best(self) -> Optional[Candidate]:
        return ranked(self.candidates)[0] if self.candidates else None

    def log_progress(self, prefix: str = '') -> None:
        best = self.best
        self.runner.logger.info(
            f'[{self.method}] {prefix}{len(self.candidates)} evaluated, budget '
            f'{self.flops_budget:g} MFLOPs; best {best.accuracy:.2f}% at {best.flops:.3f} MFLOPs; '
            f'last {self.candidates[-1].accuracy:.2f}%')

    # -- state -----------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return dict(settings=self.settings(), rng=rng_state_to_json(self.rng),
                    seconds=self.seconds, candidates=[c.to_json() for c in self.candidates])

    def load_state_dict(self, state: dict) -> None:
        self.rng = rng_from_json(state['rng'])
        self._seconds_before = float(state['seconds'])
        self.candidates = [Candidate.from_json(c) for c in state['candidates']]
        self._scores = {c.arch: c for c in self.candidates}

    def save(self) -> None:
        if dist.is_main_process():
            save_state(self.out_dir, self.state_dict())
        self._unsaved = 0

    # -- running ---------------------------------------------------------------------------------
    def search(self) -> None:
        raise NotImplementedError

    def run(self) -> Candidate:
        """Search (resuming when asked and a state exists), write the outputs, return the best.
        The data are read (and cached) before the clock starts."""
        if self.resume:
            state = load_state(self.out_dir, self.settings())
            if state is not None:
                self.load_state_dict(state)
                self.runner.logger.info(f'[{self.method}] resumed from {self.out_dir} with '
                                        f'{len(self.candidates)} candidates evaluated')
        self.prepare_evaluator()
        self._started = time.perf_counter()
        self.search()
        self.save()
        best = self.best
        if dist.is_main_process():
            write_candidates(self.out_dir, self.candidates)
            path = write_best(self.out_dir, best, dict(
                source=self.method, flops_budget=self.flops_budget, seed=self.seed,
                evaluated=len(self.candidates), search_seconds=round(self.seconds, 1)))
            self.runner.logger.info(
                f'[{self.method}] done: {len(self.candidates)} candidates in {self.seconds:.1f} s; '
                f'best {best.accuracy:.2f}% at {best.flops:.3f} MFLOPs -> {path}')
        return best


@LOOPS.register_module()
class RandomSearchLoop(SupernetSearchLoop):
    """Random search: ``num_samples`` uniform architectures within the budget (rejection sampling
    on the exact cost), each evaluated; the best is kept (paper's baseline: 1,000 samples)."""
    method = 'random'

    def __init__(self, runner, dataloader, num_samples: int = 1000, **kwargs) -> None:
        super().__init__(runner, dataloader, **kwargs)
        self.num_samples = num_samples

    def search(self) -> None:
        while len(self.candidates) < self.num_samples:
            self.evaluate(self.sample())


@LOOPS.register_module()
class EvolutionSearchLoop(SupernetSearchLoop):
    """Evolution as in SPOS (Guo et al., 2020): an initial population of ``population_size``
    random architectures within the budget; each later generation has ``num_mutation`` children
    made by mutating (each layer resampled with ``mutation_prob``) and ``num_crossover`` made by
    uniform crossover of parents drawn from the top ``top_k`` of everything evaluated so far.
    Children over budget or already evaluated are rejected and redrawn (up to ``max_trials`` per
    child; the rest are filled with random architectures within the budget).
    """
    method = 'evolution'

    def __init__(self, runner, dataloader, population_size: int = 50, top_k: int = 10,
                 max_generations: int = 20, num_mutation: int = 25, num_crossover: int = 25,
                 mutation_prob: float = 0.1, max_trials: int = 100, **kwargs) -> None:
        super().__init__(runner, dataloader, **kwargs)
        self.population_size, self.top_k = population_size, top_k
        self.max_generations = max_generations
        self.num_mutation, self.num_crossover = num_mutation, num_crossover
        self.mutation_prob, self.max_trials = mutation_prob, max_trials
        self.generation = 0
        self.population: Optional[List[Arch]] = None

    def settings(self) -> dict:
        return dict(super().settings(), population_size=self.population_size, top_k=self.top_k,
                    num_mutation=self.num_mutation,
                    num_crossover=self.num_crossover, mutation_prob=self.mutation_prob)

    def state_dict(self) -> dict:
        population = None if self.population is None else [a.to_lists() for a in self.population]
        return dict(super().state_dict(), generation=self.generation, population=population)

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.generation = int(state['generation'])
        population = state['population']
        self.population = None if population is None else [Arch(a) for a in population]

    def top(self) -> List[Candidate]:
        return ranked(self.candidates)[:self.top_k]

    def _children(self, count: int, make) -> List[Arch]:
        children: List[Arch] = []
        for _ in range(count):
            for _ in range(self.max_trials):
                child = make()
                if (self.within_budget(child) and child not in self._scores
                        and child not in children):
                    children.append(child)
                    break
        return children

    def next_population(self) -> List[Arch]:
        if self.generation == 0:
            population: List[Arch] = []
            while len(population) < self.population_size:
                arch = self.sample()
                if arch not in population:
                    population.append(arch)
            return population
        parents = [c.arch for c in self.top()]
        mutated = self._children(
            self.num_mutation, lambda: mutate(self.rng.choice(parents), self.mutation_prob,
                                              self.rng))
        crossed = self._children(
            self.num_crossover, lambda: crossover(*self.rng.sample(parents, 2), self.rng)
            if len(parents) > 1 else parents[0])
        population = mutated + [c for c in crossed if c not in mutated]
        while len(population) < self.num_mutation + self.num_crossover:
            arch = self.sample()
            if arch not in self._scores and arch not in population:
                population.append(arch)
        return population

    def search(self) -> None:
        while self.generation < self.max_generations:
            if self.population is None:
                self.population = self.next_population()
                self.save()  # the rng state after drawing this generation
            for arch in self.population:
                self.evaluate(arch)
            self.generation += 1
            self.population = None
            best = self.best
            self.runner.logger.info(
                f'[evolution] generation {self.generation}/{self.max_generations}: '
                f'{len(self.candidates)} evaluated; top-{self.top_k} mean '
                f'{sum(c.accuracy for c in self.top()) / len(self.top()):.2f}%, best '
                f'{best.accuracy:.2f}% at {best.flops:.3f} MFLOPs')
            self.save()
