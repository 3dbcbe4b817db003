"""WeakNAS (Wu et al., "Stronger NAS with Weaker Predictors", NeurIPS 2021) on any space: a
sequence of weak accuracy predictors, each fitted to everything evaluated so far and used only to
pick the next few architectures from its predicted top.

Registered in ``LOOPS`` as ``mmsgnas.WeakNASSearchLoop``; it runs in query mode (benchmark look-up)
and in supernet mode (inherited weights) like the other loops of :mod:`.search_loops`.
"""
import math
import time
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ..cost import sample_pool_within_budget
from ..registry import LOOPS
from .predictors import build_predictor
from .search_loops import SearchLoop

POOL_STREAM = 0x9001  # the pool's seed stream, apart from the predictors' (round indices)


@LOOPS.register_module()
class WeakNASSearchLoop(SearchLoop):
    """WeakNAS: predictor-guided sampling, round by round.

    Round 0 evaluates ``init_samples`` random architectures within the budget (the space's
    sampling distribution, as random search draws them). Every later round

    1. fits a fresh predictor (``predictor``) to all (one-hot encoding, score) pairs so far;
    2. ranks the candidate pool with it and keeps the predicted top ``top_m`` architectures not
       evaluated yet (one per evaluator key: isomorphic NAS-Bench-201 cells count as one);
    3. draws ``samples_per_round`` of them uniformly at random and evaluates them,

    until ``max_queries`` distinct architectures (evaluator keys) are evaluated. The defaults are
    the paper's NAS-Bench-201 settings: 10 initial samples, 10 per round from the top 100, 1,000
    queries.

    The candidate pool is every architecture of the space within the budget when the space can be
    enumerated and has at most ``enumerate_up_to`` architectures (NAS-Bench-201's 15,625 cells);
    otherwise ``pool_size`` distinct random architectures within the budget (the distribution
    random search draws from), drawn once, vectorised
    (:func:`~mmsgnas.cost.sample_pool_within_budget`), from a generator seeded by ``seed``.

    Resuming: the state holds the evaluated candidates, the round, the architectures drawn for the
    current round and the loop's random generator; the predictor is not saved but refitted from the
    candidates, with a seed derived from (``seed``, round), so an interrupted search resumed with
    ``resume=True`` proposes exactly what the uninterrupted one did (for the torch MLP: on the same
    machine and thread count, whose float sums it depends on).

    Args:
        init_samples: random architectures of round 0.
        samples_per_round: architectures evaluated per later round.
        top_m: size of the predicted top the round's samples are drawn from.
        max_queries: the query budget (distinct evaluator keys); may grow on resume.
        predictor: ``dict(type='mlp'|'gbdt'|'random_forest', **kwargs)`` (see
            :mod:`mmsgnas.engine.predictors`).
        pool_size: size of the random candidate pool of large spaces.
        enumerate_up_to: the largest space whose every architecture forms the pool.
        **kwargs: see :class:`~mmsgnas.engine.search_loops.SearchLoop` (budget, evaluator, space,
            seed, out_dir, resume, ...).
    """
    method = 'weaknas'
    query_budget = 'max_queries'

    def __init__(self, runner=None, dataloader=None, init_samples: int = 10,
                 samples_per_round: int = 10, top_m: int = 100, max_queries: int = 1000,
                 predictor: Optional[dict] = None, pool_size: int = 10000,
                 enumerate_up_to: int = 100000, **kwargs) -> None:
        super().__init__(runner, dataloader, **kwargs)
        for name, value in (('init_samples', init_samples), ('samples_per_round',
                                                             samples_per_round),
                            ('top_m', top_m), ('max_queries', max_queries),
                            ('pool_size', pool_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f'WeakNASSearchLoop: {name} must be a whole number >= 1, got '
                                 f'{value!r}')
        if init_samples < 2:
            raise ValueError(f'WeakNASSearchLoop: init_samples must be >= 2 to fit the first '
                             f'predictor, got {init_samples}')
        if samples_per_round > top_m:
            raise ValueError(f'WeakNASSearchLoop: samples_per_round ({samples_per_round}) cannot '
                             f'exceed top_m ({top_m}), the pool they are drawn from')
        self.init_samples, self.samples_per_round = init_samples, samples_per_round
        self.top_m, self.max_queries = top_m, max_queries
        self.predictor_cfg = dict(predictor) if predictor is not None else dict(type='mlp')
        build_predictor(self.predictor_cfg, 0)   # a bad config fails here, before any query
        self.pool_size, self.enumerate_up_to = pool_size, enumerate_up_to
        self.round = 0
        self.proposals: Optional[List[Any]] = None
        self._pool: Optional[List[Any]] = None
        self._pool_keys: Optional[List[Any]] = None
        self._pool_features: Optional[np.ndarray] = None
        self._encoded: Dict[Any, np.ndarray] = {}
        self._fit_seconds = 0.0
        #: per finished round: queries after it, predictor fit + ranking seconds, pool left
        self.round_log: List[Dict[str, float]] = []

    # -- settings and state ------------------------------------------------------------------
    def settings(self) -> dict:
        return dict(super().settings(), init_samples=self.init_samples,
                    samples_per_round=self.samples_per_round, top_m=self.top_m,
                    predictor=self.predictor_cfg, pool_size=self.pool_size,
                    enumerate_up_to=self.enumerate_up_to)

    def state_dict(self) -> dict:
        proposals = None if self.proposals is None else \
            [self.space.to_text(a) for a in self.proposals]
        return dict(super().state_dict(), round=self.round, proposals=proposals)

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.round = int(state['round'])
        proposals = state['proposals']
        self.proposals = None if proposals is None else \
            [self.space.from_text(a, 'search state') for a in proposals]

    # -- the candidate pool ------------------------------------------------------------------
    def pool_is_whole_space(self) -> bool:
        """Whether the pool is every architecture of the space (within the budget)."""
        if self.space.size() > self.enumerate_up_to:
            return False
        try:
            iter(self.space.enumerate())
        except TypeError:
            return False
        return True

    def features(self, archs: Sequence[Any]) -> np.ndarray:
        """[N, D * K] float32: the flattened one-hot encodings (each architecture encoded once per
        loop: the evaluated ones are fitted again every round)."""
        if not archs:
            return np.zeros((0, int(np.prod(self.space.decision_shape))), dtype=np.float32)
        rows = []
        for arch in archs:
            row = self._encoded.get(arch)
            if row is None:
                row = self._encoded[arch] = self.space.encode(arch).flatten().numpy().astype(
                    np.float32)
            rows.append(row)
        return np.stack(rows)

    def pool(self) -> List[Any]:
        """The candidate pool (built once; the same for a given space, budget and seed)."""
        if self._pool is None:
            unbounded = math.isinf(self.flops_budget) and not self.min_flops
            if self.pool_is_whole_space():
                pool = [a for a in self.space.enumerate() if unbounded or self.within_budget(a)]
            else:
                pool = self._random_pool()
            key = self.prepare_evaluator().key
            self._pool = pool
            self._pool_keys = [key(a) for a in pool]
            self._pool_features = self.features(pool)
            if self.log_interval:
                self.logger.info(f'[weaknas] candidate pool: {len(pool)} architectures '
                                 f'({"the whole space" if self.pool_is_whole_space() else "random"}'
                                 f'{"" if unbounded else " within the budget"})')
        return self._pool

    def _random_pool(self) -> List[Any]:
        # drawn from a numpy generator of its own: the pool must not depend on how far the
        # loop's rng has run
        return sample_pool_within_budget(
            self.cost_table, self.pool_size, self.flops_budget, self.min_flops,
            seed=int(np.random.SeedSequence([self.seed, POOL_STREAM]).generate_state(1)[0]),
            key=self.prepare_evaluator().key)

    # -- proposing ------------------------------------------------------------------------------
    def round_seed(self, round_index: int) -> int:
        """Seed of the predictor of ``round_index``: a function of (loop seed, round) only."""
        return int(np.random.SeedSequence([self.seed, round_index]).generate_state(1)[0])

    def initial_proposals(self, count: int) -> List[Any]:
        key = self.prepare_evaluator().key
        proposals, keys = [], set()
        for _ in range(100 * count):
            if len(proposals) == count:
                break
            arch = self.sample()
            if not self.seen(arch) and key(arch) not in keys:
                keys.add(key(arch))
                proposals.append(arch)
        return proposals

    def predicted_top(self) -> List[Any]:
        """Fit this round's predictor and return the predicted top ``top_m`` unevaluated pool
        architectures (one per evaluator key, the best-predicted one), best first."""
        pool = self.pool()
        started = time.perf_counter()
        predictor = build_predictor(self.predictor_cfg, self.round_seed(self.round))
        predictor.fit(self.features([c.arch for c in self.candidates]),
                      np.array([c.accuracy for c in self.candidates]))
        predicted = predictor.predict(self._pool_features)
        # trees predict piecewise-constant values: break the many ties at random (seeded by the
        # round), not by the pool's enumeration order
        tie_break = np.random.default_rng(self.round_seed(self.round)).permutation(len(pool))
        top, keys = [], set()
        for index in np.lexsort((tie_break, -predicted)):
            k = self._pool_keys[index]
            if k in keys or k in self._scores:
                continue
            keys.add(k)
            top.append(pool[index])
            if len(top) == self.top_m:
                break
        self._fit_seconds = time.perf_counter() - started
        return top

    def next_proposals(self) -> List[Any]:
        """The architectures of the current round (empty when nothing is left to propose)."""
        left = self.max_queries - len(self.candidates)
        self._fit_seconds = 0.0
        if self.round == 0 or len(self.candidates) < 2:
            return self.initial_proposals(min(self.init_samples, left))
        top = self.predicted_top()
        return self.rng.sample(top, min(self.samples_per_round, left, len(top)))

    # -- running ------------------------------------------------------------------------------
    def search(self) -> None:
        while len(self.candidates) < self.max_queries:
            if self.proposals is None:
                self.proposals = self.next_proposals()
                if not self.proposals:
                    self.logger.info(f'[weaknas] nothing left to propose after '
                                     f'{len(self.candidates)} queries: the pool is exhausted')
                    break
                self.save()   # the rng state after drawing this round
            for arch in self.proposals:
                if len(self.candidates) >= self.max_queries:
                    break
                self.evaluate(arch, round=self.round)
            self.round_log.append(dict(round=self.round, queries=len(self.candidates),
                                       fit_seconds=self._fit_seconds))
            best = self.best
            if self.log_interval:
                self.logger.info(
                    f'[weaknas] round {self.round}: {len(self.candidates)}/{self.max_queries} '
                    f'queries; best {best.accuracy:.2f} at {best.flops:.3f} '
                    f'{self.cost_table.unit}; predictor {self._fit_seconds:.2f} s')
            self.round += 1
            self.proposals = None
            self.save()
