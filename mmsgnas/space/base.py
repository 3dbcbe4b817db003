"""The search-space interface every space of mmsgnas implements.

A space describes its architectures as plain data: ``D`` decisions with ``K`` choices each (the
[D, K] one-hot shape the generator, DARTS and the predictors read), which choices each decision
allows, a canonical form, sampling, mutation and crossover, the subnet-file format (a YAML mapping
with a ``space:`` key), its FLOPs table, and the configs of its stand-alone network and of its
weight-sharing supernet. Code outside a space never imports a space's constants; it asks the
space.

Two notions of equality matter:

* ``arch == other``: the same *path* (what a supernet runs, which weights it uses). This is the
  canonical form: equal paths serialise the same.
* ``space.identity(arch)``: the same *stand-alone network* (e.g. the same kernel multiset per layer,
  or isomorphic NAS-Bench-201 cells). Several paths can share one identity.
"""
import random
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, Hashable, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch


class ArchError(ValueError):
    """An architecture that is not in the search space."""


class SearchSpace(metaclass=ABCMeta):
    """Base class of search spaces (registered in :data:`mmsgnas.registry.SPACES`)."""

    #: the value of the ``space:`` key of this space's subnet files
    name: str = ''
    #: names of the K choices of a decision, in one-hot order
    choice_names: Tuple[str, ...] = ()
    #: whether the stand-alone classifier's parameter count is a sum over the decisions' choices
    #: (then counted from a table: :func:`mmsgnas.models.builder.linear_param_table`)
    linear_params: bool = False

    # -- shape -------------------------------------------------------------------------------
    @property
    @abstractmethod
    def decision_shape(self) -> Tuple[int, int]:
        """(D, K): D decisions with K choices each."""

    @property
    def map_shape(self) -> Tuple[int, int]:
        """The 2-D layout (rows, cols) with rows * cols = D * K in which the generator's convs read
        the one-hot encoding (neighbouring decisions side by side). Default: [D, K]."""
        return self.decision_shape

    @abstractmethod
    def allowed(self) -> torch.Tensor:
        """[D, K] bool: which choice each decision may take at all."""

    # -- architectures -------------------------------------------------------------------------
    @abstractmethod
    def canonical(self, value: Any, source: str = '') -> Any:
        """Validate an architecture (or its plain-data form) and return it in canonical form.
        Raises :class:`ArchError` naming ``source`` and the part that is wrong."""

    @abstractmethod
    def identity(self, arch: Any) -> Hashable:
        """The identity of the stand-alone network of ``arch``: equal for paths that build the same
        network (isomorphic cells, the same kernel multisets)."""

    @abstractmethod
    def choices(self, arch: Any) -> List[int]:
        """The choice index of each of the D decisions."""

    @abstractmethod
    def from_choices(self, choices: Sequence[int]) -> Any:
        """The architecture of D choice indices, with the space's structure applied (e.g. a skip
        ends a unified layer). Raises :class:`ArchError` for choices that are not allowed."""

    def encode(self, arch: Any) -> torch.Tensor:
        """[D, K] float one-hot encoding of a canonical architecture."""
        choices = torch.tensor(self.choices(arch), dtype=torch.long)
        return torch.nn.functional.one_hot(choices, self.decision_shape[1]).float()

    def decode(self, weights: torch.Tensor) -> Any:
        """The architecture of a [D, K] tensor of weights, probabilities or logits: the argmax of
        each decision over its allowed choices, then :meth:`from_choices`. ``decode(encode(a)) ==
        a`` for every canonical ``a``."""
        weights = torch.as_tensor(weights)
        if tuple(weights.shape) != self.decision_shape:
            raise ArchError(f'{self.name}: expected a {list(self.decision_shape)} tensor, got '
                            f'{list(weights.shape)}')
        masked = weights.detach().float().masked_fill(~self.allowed().to(weights.device),
                                                      float('-inf'))
        return self.from_choices(masked.argmax(dim=-1).tolist())

    def structure(self, probs: torch.Tensor) -> torch.Tensor:
        """Map independent per-decision probabilities [..., D, K] to the weights the supernet runs
        and the cost is computed from, so that a one-hot input gives exactly the one-hot encoding
        of ``decode(input)``. Default: unchanged (every combination of choices is in the space)."""
        return probs

    def valid_edits(self, choices: torch.Tensor) -> torch.Tensor:
        """[D, K] bool: which single-decision changes of the choice vector ``choices`` [D] give
        another canonical architecture that can be used (the projection onto a budget only makes
        these; NAS-Bench-201 also rules out cutting a cell off from its input)."""
        return self.allowed().clone()

    @abstractmethod
    def sample(self, rng: random.Random) -> Any:
        """A random canonical architecture (the distribution the supernet is trained with)."""

    def sample_choices(self, generator: np.random.Generator, count: int) -> np.ndarray:
        """[count, D] int64: the choice vectors of ``count`` independent draws from :meth:`sample`'s
        distribution (each row a canonical architecture: ``from_choices`` of it round-trips).
        Spaces override it with a vectorised draw; this default calls :meth:`sample`."""
        rng = random.Random(int(generator.integers(2 ** 63)))
        rows = [self.choices(self.sample(rng)) for _ in range(count)]
        return np.array(rows, dtype=np.int64).reshape(count, self.decision_shape[0])

    @abstractmethod
    def mutate(self, arch: Any, prob: float, rng: random.Random) -> Any:
        """Each unit of the architecture (a layer, an edge) resampled with probability ``prob``."""

    @abstractmethod
    def crossover(self, first: Any, second: Any, rng: random.Random,
                  prob_first: float = 0.5) -> Any:
        """Uniform crossover: each unit from ``first`` with probability ``prob_first``."""

    @abstractmethod
    def size(self) -> int:
        """Number of canonical architectures (paths) of the space."""

    def enumerate(self) -> Iterator[Any]:
        """Every canonical architecture (only for spaces small enough)."""
        raise TypeError(f'{self.name}: the space has {self.size():.3g} architectures, too many to '
                        'enumerate')

    # -- text and files --------------------------------------------------------------------------
    @abstractmethod
    def to_text(self, arch: Any) -> str:
        """A one-line text form (CSV cells, logs); :meth:`from_text` reads it back."""

    @abstractmethod
    def from_text(self, text: str, source: str = '') -> Any:
        """Inverse of :meth:`to_text`."""

    def describe(self, arch: Any) -> str:
        """A short human summary for tables (default: :meth:`to_text`)."""
        return self.to_text(arch)

    @abstractmethod
    def to_file_content(self, arch: Any) -> Dict[str, Any]:
        """The architecture entries of a subnet file (without ``space:`` and metadata)."""

    @abstractmethod
    def from_file_content(self, content: Dict[str, Any], source: str) -> Any:
        """The architecture of a loaded subnet-file mapping. Raises :class:`ArchError` naming
        ``source`` and the entry that is wrong."""

    #: keys of a subnet file that hold the architecture (all other keys are metadata)
    file_keys: Tuple[str, ...] = ()

    # -- costs and models ------------------------------------------------------------------------
    @abstractmethod
    def cost_table(self, input_size: int, num_classes: int):
        """The FLOPs table (:class:`mmsgnas.cost.CostTable`) of the stand-alone classifier at
        ``input_size`` pixels with ``num_classes`` outputs."""

    @abstractmethod
    def standalone_backbone_cfg(self, arch: Any, **kwargs) -> dict:
        """Config of the stand-alone backbone of ``arch`` (registered type, mmpretrain-style
        arguments in ``kwargs``)."""

    def classifier_cfg(self, arch: Any, num_classes: int, **backbone_kwargs) -> dict:
        """mmpretrain ImageClassifier config of the stand-alone network of ``arch``: its backbone,
        global average pooling and a linear classifier (built in mmpretrain's scope)."""
        return dict(
            type='mmpretrain.ImageClassifier',
            backbone=self.standalone_backbone_cfg(arch, **backbone_kwargs),
            neck=dict(type='mmpretrain.GlobalAveragePooling'),
            head=dict(type='mmpretrain.LinearClsHead', num_classes=num_classes,
                      in_channels=self.feature_channels))

    @abstractmethod
    def supernet_backbone_cfg(self, **kwargs) -> dict:
        """Config of the weight-sharing supernet backbone of this space."""

    @abstractmethod
    def settings(self) -> Dict[str, Any]:
        """Plain data that identifies the space and its macro structure (saved in checkpoints and
        search states, compared on load)."""

    def weightless_settings(self) -> Dict[str, Any]:
        """Settings of the supernet backbone (same names as its config arguments) that its
        weights do not reveal: a checkpoint loads under either value. Compared with the backbone
        config a checkpoint was trained with (:func:`mmsgnas.engine.checkpoint.check_trained_space`)."""
        return {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SearchSpace) and self.settings() == other.settings()

    def __hash__(self) -> int:
        return hash(repr(sorted(self.settings().items())))

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.settings()})'


def check_same_space(expected: SearchSpace, found: Optional[Dict[str, Any]], what: str) -> None:
    """Refuse ``found`` settings (from a checkpoint or state) that differ from ``expected``'s."""
    if found is None:
        return
    own = expected.settings()
    differ = {k: (found.get(k), v) for k, v in own.items() if found.get(k) != v}
    differ.update({k: (v, None) for k, v in found.items() if k not in own})
    if differ:
        detail = ', '.join(f'{k}: saved {a!r}, now {b!r}' for k, (a, b) in differ.items())
        raise ArchError(f'{what} was made for another search space ({detail})')
