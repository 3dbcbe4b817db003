"""The NAS-Bench-201 topology space behind the search-space interface.

A cell is a DAG of 4 nodes: node 0 is the cell's input, node 3 its output, and every node j > 0 is
the sum of one operation on each earlier node. Its 6 edges, in the order of the official
architecture string, are

    1<-0 | 2<-0, 2<-1 | 3<-0, 3<-1, 3<-2

and each takes one of K = 5 operations (the one-hot order of this space): ``none`` (zero),
``skip_connect`` (identity), ``nor_conv_1x1`` and ``nor_conv_3x3`` (ReLU-conv-BN) and
``avg_pool_3x3``. So D = 6 decisions and 5 ** 6 = 15,625 cells, every combination allowed. The
network stacks one cell type 3N times (N per stage, C, 2C, 4C channels) with a residual reduction
block between the stages; ``C`` and ``N`` are the macro arguments of the space (16 and 5 in the
benchmark).

The architecture is a :class:`Cell`, a tuple of the 6 operation names in edge order; its text
form (files, logs, CSV tables) is the official string, e.g. the best CIFAR-10 cell
``|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|``.

Computation-equivalence (:meth:`NasBench201Space.identity`)
----------------------------------------------------------
The value of every node is a formal sum, a multiset of terms, computed node by node:

* node 0 is the single term ``x`` (the cell input);
* an edge with ``none`` adds nothing; ``skip_connect`` adds every term of its input node (sums
  are flattened, so ``skip(a + b) + c`` is ``a + b + c``); a conv or the pooling adds one term
  ``op(<input sum>)`` that wraps its input's whole sum;
* an operation on an input whose sum is empty (identically zero) adds nothing;
* sums are order-free: the terms of a node are sorted, so equal multisets compare equal.

The identity of a cell is the sum of node 3 as text, terms sorted (``'0'`` for the empty sum);
for the best CIFAR-10 cell it is
``nor_conv_1x1(nor_conv_3x3(nor_conv_3x3(x))+nor_conv_3x3(x))+nor_conv_3x3(nor_conv_3x3(x))+x``,
for the all-skip cell ``x+x+x+x``. Two cells with the same identity compute the same expression
of their input (their convs and pools sit at the same places), whatever edges hold ``none`` or
feed a node that does not reach the output; they can still differ in parameters and FLOPs,
since the stand-alone network builds and runs the ops of such dead edges. Under this definition
the 15,625 cells form **4,930** classes (:data:`NUM_IDENTITIES`, tested by enumeration).

Why not 6,466. The NAS-Bench-201 paper reports 6,466 unique topologies; that is the number of
distinct ``to_unique_str(consider_zero=True)`` strings of the official code (D-X-Y's
AutoDL-Projects / NATS-Bench; recomputed here over all cells). Its classes refine ours: every
official class lies inside one of ours, and 623 of ours join several official ones. The official
string keeps equivalent cells apart in three ways: (1) an op's input counts as zero only when it
is literally one zero term, so an op on node 2 whose two inputs are both zero (``#+#``) stays a
non-zero term; (2) zero markers stay in the sums, so ``skip`` of a node holding a zero adds an
extra ``#`` and the sums ``x`` and ``x + 0`` differ; (3) ``skip`` inserts its input's joined
string as one term instead of merging the multisets, so ``skip(a+b) + c`` and ``a + (b + c)``
sort differently. With all three made exact the official procedure gives 4,930, our count;
fixing only one or two of them gives between 5,390 and 7,414.

Caveats. ``op(0) = 0`` is exact for the pooling, but a ReLU-conv-BN on a zero input outputs the
BN shift (a learned per-channel constant); this definition ignores that, as the official one does
for node 1 (not for node 2, by (1) above). Average pooling is linear, so ``pool(a + b) = pool(a)
+ pool(b)`` would merge further (4,660 classes); like the official code we treat the pooling as
wrapping its input.
"""
import itertools
import numbers
import random
from functools import lru_cache
from typing import Any, Dict, Hashable, Iterator, List, Sequence, Tuple

import numpy as np
import torch

from ..registry import SPACES
from .base import ArchError, SearchSpace

SPACE_NAME = 'nas-bench-201'
#: the operations of an edge, in one-hot order
OPS: Tuple[str, ...] = ('none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3')
#: (to node, from node) of the 6 edges, in the order of the official string
EDGES: Tuple[Tuple[int, int], ...] = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
NUM_NODES = 4
NUM_EDGES = len(EDGES)
NUM_OPS = len(OPS)
#: number of computation-equivalence classes (see the module docstring)
NUM_IDENTITIES = 4930


def edge_name(index: int) -> str:
    """'to<-from' of edge ``index`` (0..5), as the errors name edges."""
    to, source = EDGES[index]
    return f'edge {index} ({to}<-{source})'


class Cell(tuple):
    """A NAS-Bench-201 cell: the 6 operation names in edge order (1<-0, 2<-0, 2<-1, 3<-0, 3<-1,
    3<-2). Immutable and hashable; equal cells are equal tuples.

    ``Cell.from_string(text)`` reads the official string, ``str(cell)`` writes it.
    """
    __slots__ = ()

    def __new__(cls, ops: Sequence[str]) -> 'Cell':
        ops = tuple(ops)
        if len(ops) != NUM_EDGES:
            raise ArchError(f'a cell has {NUM_EDGES} edges, got {len(ops)} operations')
        for index, op in enumerate(ops):
            if op not in OPS:
                raise ArchError(f'{edge_name(index)}: unknown operation {op!r} (choices: '
                                f'{", ".join(OPS)})')
        return super().__new__(cls, ops)

    @classmethod
    def from_string(cls, text: str, source: str = '') -> 'Cell':
        """Parse the official string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``."""
        prefix = f'{source}: ' if source else ''
        if not isinstance(text, str):
            raise ArchError(f'{prefix}expected an architecture string, got {type(text).__name__}')
        nodes = text.strip().split('+')
        if len(nodes) != NUM_NODES - 1:
            raise ArchError(f'{prefix}{text!r}: expected {NUM_NODES - 1} node groups joined by '
                            f'"+", found {len(nodes)}')
        ops: List[str] = []
        for to, group in enumerate(nodes, start=1):
            if len(group) < 2 or not (group.startswith('|') and group.endswith('|')):
                raise ArchError(f'{prefix}{text!r}: node {to} must be written "|op~0|...|", got '
                                f'{group!r}')
            entries = group[1:-1].split('|')
            if len(entries) != to:
                raise ArchError(f'{prefix}{text!r}: node {to} has {to} input edges, the string '
                                f'gives {len(entries)}')
            for source_node, entry in enumerate(entries):
                index = len(ops)
                op, sep, given = entry.partition('~')
                if not sep or given != str(source_node):
                    raise ArchError(f'{prefix}{edge_name(index)}: expected "<op>~{source_node}", '
                                    f'got {entry!r}')
                if op not in OPS:
                    raise ArchError(f'{prefix}{edge_name(index)}: unknown operation {op!r} '
                                    f'(choices: {", ".join(OPS)})')
                ops.append(op)
        return cls(ops)

    def to_string(self) -> str:
        """The official architecture string."""
        groups, index = [], 0
        for to in range(1, NUM_NODES):
            groups.append('|' + '|'.join(f'{self[index + j]}~{j}' for j in range(to)) + '|')
            index += to
        return '+'.join(groups)

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return f'Cell({self.to_string()!r})'

    def op(self, to: int, source: int) -> str:
        """The operation of the edge ``to <- source``."""
        return self[EDGES.index((to, source))]


def cell_identity(cell: Cell) -> str:
    """The node-3 formal sum of ``cell`` as canonical text (see the module docstring)."""
    nodes: List[Tuple[str, ...]] = [('x',)]
    for node in range(1, NUM_NODES):
        terms: List[str] = []
        for (to, source), op in zip(EDGES, cell):
            if to != node or op == 'none' or not nodes[source]:
                continue
            value = nodes[source]
            if op == 'skip_connect':
                terms.extend(value)
            else:
                terms.append(f'{op}({"+".join(value)})')
        nodes.append(tuple(sorted(terms)))
    return '+'.join(nodes[-1]) or '0'


@SPACES.register_module()
class NasBench201Space(SearchSpace):
    """The 15,625 cells of NAS-Bench-201: D = 6 edges, K = 5 operations
    (:data:`OPS`), every combination allowed; see the module docstring for the cell, the string
    format and :meth:`identity`.

    Args:
        C: channels of the stem and of the first stage (the stages have C, 2C, 4C).
        N: cells per stage (3N cells in all).
    """
    name = SPACE_NAME
    choice_names = OPS
    file_keys = ('arch',)
    # each edge's operation owns its weights, whatever the other edges hold
    # (mmsgnas.models.builder.linear_param_table)
    linear_params = True

    def __init__(self, C: int = 16, N: int = 5) -> None:
        for key, value in (('C', C), ('N', N)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f'NasBench201Space: {key} must be a positive integer, got '
                                 f'{value!r}')
        self.C, self.N = C, N

    # -- shape -------------------------------------------------------------------------------
    @property
    def decision_shape(self) -> Tuple[int, int]:
        return (NUM_EDGES, NUM_OPS)

    def allowed(self) -> torch.Tensor:
        return torch.ones(NUM_EDGES, NUM_OPS, dtype=torch.bool)

    # -- architectures -------------------------------------------------------------------------
    def canonical(self, value: Any, source: str = '') -> Cell:
        """A :class:`Cell` from a Cell, the official string or a list (or tuple) of 6 operation
        names; anything else raises :class:`ArchError` naming ``source`` and the edge."""
        if isinstance(value, Cell):
            return value
        prefix = f'{source}: ' if source else ''
        if isinstance(value, str):
            return Cell.from_string(value, source)
        if not isinstance(value, (list, tuple)):
            raise ArchError(f'{prefix}expected a NAS-Bench-201 cell (the official string or a '
                            f'list of {NUM_EDGES} operation names), got {type(value).__name__}')
        if len(value) != NUM_EDGES:
            raise ArchError(f'{prefix}a cell has {NUM_EDGES} edges, got {len(value)} entries')
        for index, op in enumerate(value):
            if not isinstance(op, str) or op not in OPS:
                raise ArchError(f'{prefix}{edge_name(index)}: unknown operation {op!r} (choices: '
                                f'{", ".join(OPS)})')
        return Cell(value)

    def identity(self, arch: Any) -> Hashable:
        """The node-3 formal sum as text: equal for computation-equivalent cells (module
        docstring); 4,930 classes over the space."""
        return cell_identity(self.canonical(arch))

    def live_edges(self, arch: Any) -> Tuple[bool, ...]:
        """Per edge, whether its output reaches the cell output (its op is not ``none`` and its
        target node feeds node 3 through edges that are not ``none``). The stand-alone network
        builds and runs the other, dead, edges too, as the benchmark does; a traced graph (e.g.
        mmengine's FLOPs counter) drops them."""
        cell = self.canonical(arch)
        reaches = [False] * (NUM_NODES - 1) + [True]
        for node in range(NUM_NODES - 2, 0, -1):
            reaches[node] = any(reaches[to] and op != 'none'
                                for (to, source), op in zip(EDGES, cell) if source == node)
        return tuple(op != 'none' and reaches[to] for (to, _), op in zip(EDGES, cell))

    def computes(self, arch: Any) -> bool:
        """Whether the cell's output depends on its input: a path of edges that are not ``none``
        leads from node 0 to node 3. A cell without one outputs zeros, and its network is at
        chance (10.00 % CIFAR-10 in the benchmark)."""
        cell = self.canonical(arch)
        reached = [True] + [False] * (NUM_NODES - 1)
        for node in range(1, NUM_NODES):
            reached[node] = any(reached[source] and op != 'none'
                                for (to, source), op in zip(EDGES, cell) if to == node)
        return reached[-1]

    def valid_edits(self, choices: torch.Tensor) -> torch.Tensor:
        """[D, K]: every change of one edge, except those that leave a computing cell without a
        live edge (the projection onto a budget would otherwise reach small budgets by cutting
        the cell off: ``none`` is the cheapest operation)."""
        choices = [int(c) for c in choices]
        edits = self.allowed().clone()
        if not self.computes(self.from_choices(choices)):
            return edits
        for edge in range(NUM_EDGES):
            for op in range(NUM_OPS):
                changed = list(choices)
                changed[edge] = op
                edits[edge, op] = self.computes(self.from_choices(changed))
        return edits

    def num_networks(self) -> int:
        """Number of computation-equivalence classes (:meth:`identity`) of the space."""
        return _count_identities()

    def choices(self, arch: Any) -> List[int]:
        return [OPS.index(op) for op in self.canonical(arch)]

    def from_choices(self, choices: Sequence[int]) -> Cell:
        choices = list(choices)
        if len(choices) != NUM_EDGES:
            raise ArchError(f'{len(choices)} choices, the space has {NUM_EDGES} edges')
        for index, choice in enumerate(choices):
            if isinstance(choice, bool) or not isinstance(choice, numbers.Integral) or \
                    not 0 <= choice < NUM_OPS:
                raise ArchError(f'{edge_name(index)}: choice {choice!r} outside 0..{NUM_OPS - 1}')
        return Cell(OPS[int(c)] for c in choices)

    def sample(self, rng: random.Random) -> Cell:
        """Every edge's operation uniform over the 5 (as SETN and SPOS train the supernet)."""
        return Cell(rng.choice(OPS) for _ in range(NUM_EDGES))

    def sample_choices(self, generator: np.random.Generator, count: int) -> np.ndarray:
        """[count, 6] int64, vectorised: every edge's operation index uniform in 0..4."""
        return generator.integers(0, NUM_OPS, size=(count, NUM_EDGES)).astype(np.int64)

    def mutate(self, arch: Any, prob: float, rng: random.Random) -> Cell:
        """Each edge resampled uniformly (possibly to the same operation) with probability
        ``prob``."""
        cell = self.canonical(arch)
        return Cell(rng.choice(OPS) if rng.random() < prob else op for op in cell)

    def crossover(self, first: Any, second: Any, rng: random.Random,
                  prob_first: float = 0.5) -> Cell:
        first, second = self.canonical(first), self.canonical(second)
        return Cell(a if rng.random() < prob_first else b for a, b in zip(first, second))

    def size(self) -> int:
        return NUM_OPS ** NUM_EDGES

    def enumerate(self) -> Iterator[Cell]:
        """All 15,625 cells, in the lexicographic order of their choice indices (not the official
        benchmark index order)."""
        return (Cell(ops) for ops in itertools.product(OPS, repeat=NUM_EDGES))

    # -- text and files --------------------------------------------------------------------------
    def to_text(self, arch: Any) -> str:
        return self.canonical(arch).to_string()

    def from_text(self, text: str, source: str = '') -> Cell:
        return Cell.from_string(text, source)

    def to_file_content(self, arch: Any) -> Dict[str, Any]:
        return dict(arch=self.to_text(arch))

    def from_file_content(self, content: Dict[str, Any], source: str) -> Cell:
        text = content.get('arch')
        if not isinstance(text, str):
            raise ArchError(f'{source}: "arch" must be the official architecture string '
                            f'("|op~0|+|op~0|op~1|+|op~0|op~1|op~2|"), got '
                            f'{type(text).__name__}')
        return Cell.from_string(text, f'{source}, "arch"')

    # -- costs and models ------------------------------------------------------------------------
    def cost_table(self, input_size: int = 32, num_classes: int = 10):
        """FLOPs table of the stand-alone classifier (see
        :func:`mmsgnas.cost.nasbench201_flops.nasbench201_flops_table`)."""
        from ..cost.nasbench201_flops import nasbench201_flops_table
        return nasbench201_flops_table(self, input_size, num_classes)

    @property
    def feature_channels(self) -> int:
        """Channels of the backbone's last output (4C), the classifier's input."""
        return 4 * self.C

    def _macro_kwargs(self, kwargs: dict) -> dict:
        clash = sorted({'C', 'N', 'arch'} & set(kwargs))
        if clash:
            raise ValueError(f'{", ".join(clash)} come from the space ({self!r}); do not pass '
                             'them as backbone arguments')
        return dict(C=self.C, N=self.N, **kwargs)

    def standalone_backbone_cfg(self, arch: Any, **kwargs) -> dict:
        return dict(type='mmsgnas.NasBench201Net', arch=self.to_text(arch),
                    **self._macro_kwargs(kwargs))

    def supernet_backbone_cfg(self, **kwargs) -> dict:
        return dict(type='mmsgnas.NasBench201Supernet', **self._macro_kwargs(kwargs))

    def settings(self) -> Dict[str, Any]:
        return dict(space=self.name, C=self.C, N=self.N)


@lru_cache(maxsize=1)
def _count_identities() -> int:
    return len({cell_identity(Cell(ops)) for ops in itertools.product(OPS, repeat=NUM_EDGES)})
