"""The path type of the unified space: per layer, the kernel sizes of its active sub-blocks in
sub-block order.

A layer ``(7, 3, 5)`` runs sub-block 0 with its 7x7 kernel, sub-block 1 with its 3x3 and
sub-block 2 with its 5x5; sub-blocks 3..5 are skipped (the paper's forced sampling puts skips in
the highest-index sub-blocks). The order matters on the supernet: each sub-block has its own
weights per kernel. It does not matter for the stand-alone network, whose identity is the kernel
multiset of each layer (:meth:`Arch.identity`).
"""
import itertools
from typing import Iterable, List, Sequence, Tuple

from .base import ArchError
from .spec import KERNEL_SIZES, MAX_EXPANSION, MIN_EXPANSION

LayerChoice = Tuple[int, ...]


def check_layer(kernels: Iterable, layer: int = 0) -> LayerChoice:
    """Validate one layer's kernel list (integers in {3, 5, 7}, 2..6 of them) and return it as a
    tuple, order kept. Floats, booleans and strings are refused, not rounded."""
    if isinstance(kernels, (str, bytes)) or not isinstance(kernels, Iterable):
        raise ArchError(f'layer {layer}: expected a list of kernel sizes, got {kernels!r}')
    kernels = list(kernels)
    not_int = [k for k in kernels if isinstance(k, bool) or not isinstance(k, int)]
    if not_int:
        raise ArchError(f'layer {layer}: kernel sizes must be integers, got {not_int}')
    bad = [k for k in kernels if k not in KERNEL_SIZES]
    if bad:
        raise ArchError(f'layer {layer}: kernel size(s) {bad} not in {list(KERNEL_SIZES)}')
    if not MIN_EXPANSION <= len(kernels) <= MAX_EXPANSION:
        raise ArchError(f'layer {layer}: {len(kernels)} active sub-blocks {kernels}; the expansion '
                        f'rate must be {MIN_EXPANSION}..{MAX_EXPANSION}')
    return tuple(int(k) for k in kernels)


class Arch(tuple):
    """An immutable path of the unified space: a tuple of per-layer kernel tuples (sub-block order).

    ``Arch([[7, 3], [5, 5, 3], ...])`` validates; equality and hashing are those of the tuple, so
    two paths with the same kernels in another order differ (they run other supernet weights) while
    :meth:`identity` is equal (they are the same stand-alone network).
    """

    def __new__(cls, layers: Iterable[Iterable[int]]) -> 'Arch':
        return super().__new__(cls, (check_layer(k, i) for i, k in enumerate(layers)))

    @property
    def num_layers(self) -> int:
        return len(self)

    @property
    def expansions(self) -> Tuple[int, ...]:
        """Expansion rate (number of active sub-blocks) of each layer."""
        return tuple(len(layer) for layer in self)

    def identity(self) -> Tuple[LayerChoice, ...]:
        """Per layer the sorted kernel multiset: the stand-alone network's identity."""
        return tuple(tuple(sorted(layer)) for layer in self)

    def sorted(self) -> 'Arch':
        """The same stand-alone network with each layer's kernels ascending."""
        return Arch(self.identity())

    def to_lists(self) -> List[List[int]]:
        return [list(layer) for layer in self]

    def __repr__(self) -> str:
        return f'Arch({self.to_lists()})'


def layer_choices() -> List[LayerChoice]:
    """All kernel multisets of one layer: 2..6 kernels from {3, 5, 7} (the paper's 80 choices)."""
    return [combo for e in range(MIN_EXPANSION, MAX_EXPANSION + 1)
            for combo in itertools.combinations_with_replacement(KERNEL_SIZES, e)]


def layer_paths() -> List[LayerChoice]:
    """All sub-block assignments of one layer (skips last): 3^2 + ... + 3^6 = 1089."""
    return [combo for e in range(MIN_EXPANSION, MAX_EXPANSION + 1)
            for combo in itertools.product(KERNEL_SIZES, repeat=e)]


def as_arch(value: Sequence) -> Arch:
    """Accept an Arch or a list of per-layer kernel lists (order kept)."""
    return value if isinstance(value, Arch) else Arch(value)
