"""Sampling, mutation and crossover of canonical architectures.

All functions take a ``random.Random`` so that callers own (and can checkpoint) the random state.
"""
import random
from typing import Optional

from .arch import Arch, LayerChoice
from .spec import KERNEL_SIZES, MAX_EXPANSION, MIN_EXPANSION


def sample_layer(rng: random.Random) -> LayerChoice:
    """Uniform single-path sampling of one layer (the authors' scheme): the expansion rate e is
    uniform in 2..6, each active sub-block's kernel is uniform in {3, 5, 7}; forced sampling then
    places the skips last and sorts the kernels."""
    expansion = rng.randint(MIN_EXPANSION, MAX_EXPANSION)
    return tuple(sorted(rng.choice(KERNEL_SIZES) for _ in range(expansion)))


def sample_arch(rng: random.Random, num_layers: int = 19) -> Arch:
    """A random canonical architecture of ``num_layers`` layers."""
    return Arch(sample_layer(rng) for _ in range(num_layers))


def mutate(arch: Arch, prob: float, rng: random.Random) -> Arch:
    """Resample each layer independently with probability ``prob``."""
    return Arch(sample_layer(rng) if rng.random() < prob else layer for layer in arch)


def crossover(first: Arch, second: Arch, rng: random.Random,
              prob_first: Optional[float] = 0.5) -> Arch:
    """Uniform crossover: each layer comes from ``first`` with probability ``prob_first``."""
    if len(first) != len(second):
        raise ValueError(f'cannot cross architectures of {len(first)} and {len(second)} layers')
    return Arch(a if rng.random() < prob_first else b for a, b in zip(first, second))
