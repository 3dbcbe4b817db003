"""The architecture type: per layer, the multiset of kernel sizes of its active sub-blocks.

Canonical form (the paper's forced sampling): the active sub-blocks come first (skips take the
highest-index sub-blocks) and the kernels of a layer are in ascending order, so two architectures
with equal kernel multisets per layer are equal and serialise the same.
"""
import itertools
from typing import Iterable, List, Sequence, Tuple

from .spec import KERNEL_SIZES, MAX_EXPANSION, MIN_EXPANSION, NUM_SUBBLOCKS, SKIP

LayerChoice = Tuple[int, ...]


class ArchError(ValueError):
    """An architecture that is not in the search space."""


def canonical_layer(kernels: Iterable[int], layer: int = 0) -> LayerChoice:
    """Validate one layer's kernel list and return it sorted (the canonical form)."""
    try:
        kernels = [int(k) for k in kernels]
    except (TypeError, ValueError) as err:
        raise ArchError(f'layer {layer}: expected a list of kernel sizes, got {kernels!r}') from err
    bad = [k for k in kernels if k not in KERNEL_SIZES]
    if bad:
        raise ArchError(f'layer {layer}: kernel size(s) {bad} not in {list(KERNEL_SIZES)}')
    if not MIN_EXPANSION <= len(kernels) <= MAX_EXPANSION:
        raise ArchError(f'layer {layer}: {len(kernels)} active sub-blocks {kernels}; the expansion '
                        f'rate must be {MIN_EXPANSION}..{MAX_EXPANSION}')
    return tuple(sorted(kernels))


class Arch(tuple):
    """An immutable canonical architecture: a tuple of per-layer sorted kernel tuples.

    ``Arch([[7, 3], [5, 5, 3], ...])`` canonicalises and validates; equality and hashing are those
    of the canonical tuple.
    """

    def __new__(cls, layers: Iterable[Iterable[int]]) -> 'Arch':
        return super().__new__(cls, (canonical_layer(k, i) for i, k in enumerate(layers)))

    @property
    def num_layers(self) -> int:
        return len(self)

    @property
    def expansions(self) -> Tuple[int, ...]:
        """Expansion rate (number of active sub-blocks) of each layer."""
        return tuple(len(layer) for layer in self)

    def subblock_choices(self) -> List[List[int]]:
        """Per layer, the choice index of each of the 6 sub-blocks ([k3, k5, k7, skip] indices)."""
        return [[KERNEL_SIZES.index(k) for k in layer] + [SKIP] * (NUM_SUBBLOCKS - len(layer))
                for layer in self]

    def to_lists(self) -> List[List[int]]:
        return [list(layer) for layer in self]

    def __repr__(self) -> str:
        return f'Arch({self.to_lists()})'


def layer_choices() -> List[LayerChoice]:
    """All canonical choices of one layer: multisets of 2..6 kernels from {3, 5, 7} (80 of them)."""
    return [combo for e in range(MIN_EXPANSION, MAX_EXPANSION + 1)
            for combo in itertools.combinations_with_replacement(KERNEL_SIZES, e)]


def space_size(num_layers: int) -> int:
    """Number of distinct architectures of ``num_layers`` layers (80 ** 19 for the paper's space)."""
    return len(layer_choices()) ** num_layers


def as_arch(value: Sequence) -> Arch:
    """Accept an Arch or a list of per-layer kernel lists."""
    return value if isinstance(value, Arch) else Arch(value)
