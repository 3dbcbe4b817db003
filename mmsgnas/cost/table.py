"""The cost table of a search space: a fixed part plus one cost per (decision, choice).

Every space of mmsgnas has a cost that is linear in its one-hot encoding: Cost(a) = base + sum over
decisions d of table[d, choice_d]. So the same table gives the exact cost of a discrete
architecture and the differentiable Cost(alpha) of soft weights (paper Eq. 9), equal to it on
one-hot input.
"""
from dataclasses import dataclass
from typing import Any, Sequence

import torch


@dataclass(frozen=True, eq=False)
class CostTable:
    """Per-decision costs of one space at one input size.

    Attributes:
        space: the :class:`~mmsgnas.space.SearchSpace` the table belongs to.
        base: cost independent of the architecture (stem, fixed blocks, head, classifier).
        table: [D][K] cost of choice k at decision d (0 for choices that compute nothing).
        input_size: input resolution (pixels) the costs were counted at.
        num_classes: outputs of the classifier counted in ``base``.
        unit: 'MFLOPs' (multiply-accumulates / 1e6) or 'ms' (a measured latency table).
        scale: raw units per ``unit`` (1e6 MACs per MFLOP; 1 for a latency table in ms).
    """
    space: Any
    base: float
    table: Sequence[Sequence[float]]
    input_size: int
    num_classes: int
    unit: str = 'MFLOPs'
    scale: float = 1e6

    @property
    def num_decisions(self) -> int:
        return len(self.table)

    def arch_raw(self, arch: Any) -> float:
        """Exact cost of a discrete architecture in raw units (MACs for FLOPs tables)."""
        choices = self.space.choices(arch)
        if len(choices) != self.num_decisions:
            raise ValueError(f'architecture has {len(choices)} decisions, the cost table '
                             f'{self.num_decisions}')
        return self.base + sum(self.table[d][c] for d, c in enumerate(choices))

    def arch_cost(self, arch: Any) -> float:
        """Exact cost of a discrete architecture in :attr:`unit`."""
        return self.arch_raw(arch) / self.scale

    # FLOPs tables are the common case; these names say what the number is.
    arch_mflops = arch_cost

    def arch_macs(self, arch: Any) -> int:
        return int(round(self.arch_raw(arch)))

    def tensor(self, device=None, dtype=torch.float32) -> torch.Tensor:
        """[D, K] per-choice costs in :attr:`unit`."""
        return torch.tensor(self.table, dtype=torch.float64, device=device).div(self.scale).to(dtype)

    def soft_cost(self, weights: torch.Tensor) -> torch.Tensor:
        """Differentiable Cost(alpha) in :attr:`unit`.

        Args:
            weights: [..., D, K] per-decision weights (already structured by the space).
        Returns:
            [...] expected cost; equal to :meth:`arch_cost` on the one-hot encoding.
        """
        shape = (self.num_decisions, len(self.table[0]))
        if tuple(weights.shape[-2:]) != shape:
            raise ValueError(f'expected [..., {shape[0]}, {shape[1]}] weights, got '
                             f'{list(weights.shape)}')
        table = self.tensor(weights.device, weights.dtype)
        return self.base / self.scale + torch.einsum('...dk,dk->...', weights, table)

    soft_mflops = soft_cost

    def _extreme(self, largest: bool) -> float:
        costs = self.tensor(dtype=torch.float64)
        allowed = self.space.allowed()
        fill = float('-inf') if largest else float('inf')
        masked = costs.masked_fill(~allowed, fill)
        choices = (masked.argmax(-1) if largest else masked.argmin(-1)).tolist()
        return self.arch_cost(self.space.from_choices(choices))

    def min_cost(self) -> float:
        """Cost of the cheapest architecture (the cheapest allowed choice everywhere)."""
        return self._extreme(largest=False)

    def max_cost(self) -> float:
        """Cost of the most expensive architecture."""
        return self._extreme(largest=True)

    min_mflops = min_cost
    max_mflops = max_cost
