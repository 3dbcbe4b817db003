"""What every weight-sharing supernet backbone of mmsgnas offers, whatever its space."""
import contextlib
import random
from typing import Any, Iterator, Optional, Union

import torch

from ...space import SearchSpace


class PathSettingMixin:
    """The path API of a supernet backbone (mixed into an ``nn.Module`` with a ``space``).

    Which path a forward runs is set with :meth:`set_arch` (a discrete architecture of the space)
    or :meth:`set_soft_weights` (a [B, D, K] tensor of per-decision weights, already structured by
    the space: the generator and DARTS use it), or temporarily with the :meth:`using` context.
    With nothing set, a training-mode forward samples a fresh path from the space (so a plain
    mmpretrain ImageClassifier with this backbone trains the supernet the SPOS way) and an
    eval-mode forward is an error.
    """
    space: SearchSpace
    _active: Union[Any, torch.Tensor, None] = None

    def sample_arch(self, rng: Optional[random.Random] = None) -> Any:
        """A random path of the space (Python's global ``random`` by default, which mmengine
        seeds)."""
        return self.space.sample(rng or random)

    def set_arch(self, arch: Any) -> None:
        """Run ``arch`` in the following forwards (None: back to sampling in training)."""
        self._active = None if arch is None else self.space.canonical(arch)

    def set_soft_weights(self, weights: Optional[torch.Tensor]) -> None:
        """Run soft per-decision weights [B, D, K] in the following forwards."""
        expected = tuple(self.space.decision_shape)
        if weights is not None and (weights.dim() != 3 or tuple(weights.shape[1:]) != expected):
            raise ValueError(f'soft weights must be [B, {expected[0]}, {expected[1]}], got '
                             f'{list(weights.shape)}')
        self._active = weights

    @property
    def active(self) -> Union[Any, torch.Tensor, None]:
        return self._active

    @contextlib.contextmanager
    def using(self, arch_or_weights: Any) -> Iterator[None]:
        """Temporarily run an architecture or soft weights, restoring the previous setting."""
        previous = self._active
        if isinstance(arch_or_weights, torch.Tensor):
            self.set_soft_weights(arch_or_weights)
        else:
            self.set_arch(arch_or_weights)
        try:
            yield
        finally:
            self._active = previous

    @contextlib.contextmanager
    def path_for_forward(self) -> Iterator[None]:
        """Inside a forward: keep the set path, or sample one in training mode."""
        if self._active is not None:
            yield
            return
        if not self.training:
            raise RuntimeError(f'{type(self).__name__}: no architecture set for an eval-mode '
                               'forward; call set_arch() or set_soft_weights() first')
        with self.using(self.sample_arch()):
            yield
