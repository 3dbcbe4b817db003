"""Scoring architectures by benchmark query ("query mode" of the search loops)."""
import os
from typing import Any, Dict, Hashable, List, Tuple, Union

from ..registry import ARCH_EVALUATORS
from .nasbench201 import (NasBench201Benchmark, PathLike, check_split_epochs, default_space,
                          normalize_dataset, open_benchmark)


@ARCH_EVALUATORS.register_module()
class BenchmarkEvaluator:
    """Accuracy (%) of NAS-Bench-201 architectures by looking it up in a benchmark.

    The search cost is the number of distinct networks asked for (:attr:`queries`): the key of an
    architecture is ``space.identity(arch)``, so isomorphic cells count as one query. A key is
    scored once: the first architecture asked of it gives the benchmark's recorded value and every
    later architecture of the same key gets that value again, free, as a search that recognises an
    isomorphic duplicate would reuse its score rather than train it again. (The benchmark trained
    isomorphic cells separately, so their recorded values differ slightly; re-reading them would
    let a search pick the luckiest run of one network at no cost.)

    Selecting by ``split='test'`` is an **oracle search** (benchmarks README, "Protocol"): useful
    for queries-to-optimum curves, not a fair accuracy claim. Select by ``'valid'``
    (``cifar10``: the ``cifar10-valid`` networks' validation accuracy) and report test accuracy.

    Args:
        space: the NAS-Bench-201 space (an instance or its config); its macro arguments (``C``,
            ``N``) do not matter: the benchmark's networks are those it recorded.
        benchmark: ``None`` for the compact tables shipped with mmsgnas, a path (a folder of the
            compact tables or an official file, see
            :func:`~mmsgnas.benchmarks.nasbench201.open_benchmark`) or a benchmark object.
        dataset: ``'cifar10'``, ``'cifar10-valid'``, ``'cifar100'`` or ``'ImageNet16-120'``.
        split: ``'valid'`` or ``'test'``.
        epochs: 200 (12 only with an official file).

    Example::

        ev = BenchmarkEvaluator(NasBench201Space())
        ev(arch)        # 91.6067 for the best cell
        ev.queries      # 1
    """

    def __init__(self, space: Any, benchmark: Union[None, PathLike, NasBench201Benchmark] = None,
                 dataset: str = 'cifar10', split: str = 'valid', epochs: int = 200) -> None:
        from ..space import build_space
        self.space = build_space(space)
        expected = default_space().name
        if self.space.name != expected:
            raise ValueError(f'BenchmarkEvaluator queries the {expected} benchmark; got the '
                             f'{self.space.name!r} space ({self.space!r})')
        self.benchmark = open_benchmark(benchmark)
        self.dataset = normalize_dataset(dataset)
        check_split_epochs(split, epochs)
        self.split, self.epochs = split, int(epochs)
        self.benchmark.check_query(self.dataset, self.split, self.epochs)
        self._scores: Dict[Hashable, float] = {}
        #: (official string, accuracy %) of each distinct query, in the order asked
        self.history: List[Tuple[str, float]] = []

    @property
    def oracle(self) -> bool:
        """Whether this evaluator scores by a test split (an oracle search)."""
        return self.split == 'test'

    def key(self, arch: Any) -> Hashable:
        """``space.identity(arch)``: equal for isomorphic cells, which count as one query."""
        return self.space.identity(self.space.canonical(arch))

    def __call__(self, arch: Any) -> float:
        """Accuracy in % of ``arch`` (see the class docstring for repeated keys)."""
        arch = self.space.canonical(arch)
        key = self.space.identity(arch)
        if key not in self._scores:
            text = self.space.to_text(arch)
            value = self.benchmark.accuracy(text, self.dataset, self.split, self.epochs)
            self._scores[key] = value
            self.history.append((text, value))
        return self._scores[key]

    @property
    def queries(self) -> int:
        """Distinct keys asked so far: the search cost in trained networks."""
        return len(self._scores)

    def settings(self) -> Dict[str, Any]:
        """Plain data that identifies what the scores mean (compared when a search resumes, and
        the key of cached judge scores): the benchmark source, data set, split and epochs."""
        source = str(getattr(self.benchmark, 'source', repr(self.benchmark)))
        files = ' + '.join(os.path.basename(part) for part in source.split(' + '))
        return dict(evaluator='benchmark', benchmark=f'{type(self.benchmark).__name__}({files})',
                    dataset=self.dataset, split=self.split, epochs=self.epochs)

    def reset(self) -> None:
        """Forget all queries (a new search starts at cost 0)."""
        self._scores.clear()
        self.history.clear()

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self.benchmark!r}, dataset={self.dataset!r}, '
                f'split={self.split!r}, epochs={self.epochs}, queries={self.queries})')
