"""FLOPs look-up tables of the unified search space and the differentiable Cost(alpha) (Eq. 9).

What is counted: multiply-accumulates (MACs) of every convolution and of the final linear
classifier, reported in MFLOPs (1e6 MACs), the convention of the NAS papers and of
``mmengine.analysis``. Not counted: batch norm, activations, residual additions, pooling, dropout,
and biases. Every active sub-block of a layer costs its share of the first pointwise conv
(C_in x C_in per pixel of the input), its depthwise conv (C_in x k x k per pixel of the output) and
its share of the second pointwise conv (C_in x C_out per output pixel), so the cost of a layer is
linear in its sub-block choices and Cost(alpha) is exact on one-hot input.
"""
from dataclasses import dataclass
from typing import List, Sequence

import torch

from ..space import KERNEL_SIZES, Arch, MacroSpec, NUM_CHOICES, NUM_SUBBLOCKS, make_divisible


def conv_output_size(size: int, stride: int) -> int:
    """Spatial size after a 'same'-padded conv (padding k // 2, odd k) of the given stride."""
    return (size - 1) // stride + 1


@dataclass(frozen=True)
class CostTable:
    """Per-layer MACs of a macro config at one input size.

    Attributes:
        base_macs: stem, first block, head conv and classifier (independent of the architecture).
        choice_macs: [L][4] MACs of one sub-block of layer l with choice [k3, k5, k7, skip]
            (pointwise shares included; skip costs 0).
    """
    base_macs: int
    choice_macs: Sequence[Sequence[int]]
    input_size: int
    num_classes: int

    @property
    def num_layers(self) -> int:
        return len(self.choice_macs)

    def arch_macs(self, arch: Arch) -> int:
        """Exact MACs of a discrete architecture."""
        if len(arch) != self.num_layers:
            raise ValueError(f'architecture has {len(arch)} layers, the cost table {self.num_layers}')
        return self.base_macs + sum(self.choice_macs[l][KERNEL_SIZES.index(k)]
                                    for l, layer in enumerate(arch) for k in layer)

    def arch_mflops(self, arch: Arch) -> float:
        """Exact cost of a discrete architecture in MFLOPs (MMACs)."""
        return self.arch_macs(arch) / 1e6

    def choice_tensor(self, device=None, dtype=torch.float32) -> torch.Tensor:
        """[L, 4] tensor of per-sub-block costs in MFLOPs."""
        return torch.tensor(self.choice_macs, dtype=dtype, device=device) / 1e6

    def soft_mflops(self, probs: torch.Tensor) -> torch.Tensor:
        """Differentiable Cost(alpha) of Eq. 9 in MFLOPs.

        Args:
            probs: [..., L, 6, 4] per-sub-block probabilities over [k3, k5, k7, skip].
        Returns:
            [...] expected MFLOPs; equal to :meth:`arch_mflops` on one-hot input.
        """
        if tuple(probs.shape[-3:]) != (self.num_layers, NUM_SUBBLOCKS, NUM_CHOICES):
            raise ValueError(f'expected [..., {self.num_layers}, {NUM_SUBBLOCKS}, {NUM_CHOICES}] '
                             f'probabilities, got {tuple(probs.shape)}')
        table = self.choice_tensor(probs.device, probs.dtype)
        return self.base_macs / 1e6 + torch.einsum('...lsc,lc->...', probs, table)

    def min_mflops(self) -> float:
        """Smallest architecture: two k3 sub-blocks in every layer."""
        return self.arch_mflops(Arch([[3, 3]] * self.num_layers))

    def max_mflops(self) -> float:
        """Largest architecture: six k7 sub-blocks in every layer."""
        return self.arch_mflops(Arch([[7] * NUM_SUBBLOCKS] * self.num_layers))


def build_cost_table(macro: MacroSpec, input_size: int = 224, num_classes: int = 1000) -> CostTable:
    """Look-up table of the stand-alone classifier built from ``macro`` at ``input_size`` pixels."""
    stem_c, first_c, head_c = (macro.scaled_stem_channels, macro.scaled_first_channels,
                               macro.scaled_head_channels)
    size = conv_output_size(input_size, macro.stem_stride)
    base = 3 * stem_c * 9 * size ** 2              # stem conv 3x3
    base += stem_c * 9 * size ** 2                 # first block: depthwise 3x3
    base += stem_c * first_c * size ** 2           # first block: pointwise
    choice_macs: List[List[int]] = []
    for spec in macro.layers:
        out_size = conv_output_size(size, spec.stride)
        c_in = spec.in_channels
        shared = c_in * c_in * size ** 2 + c_in * spec.out_channels * out_size ** 2
        choice_macs.append([shared + c_in * k * k * out_size ** 2 for k in KERNEL_SIZES] + [0])
        size = out_size
    base += macro.layers[-1].out_channels * head_c * size ** 2   # head conv 1x1
    base += head_c * num_classes                                 # linear classifier
    return CostTable(base, tuple(tuple(row) for row in choice_macs), input_size, num_classes)


def se_mflops(macro: MacroSpec, arch: Arch) -> float:
    """MFLOPs that squeeze-and-excitation in every searched block adds (``se=True`` of the
    stand-alone network): per layer two 1x1 convs on the pooled e*C_in channels, e*C_in ->
    make_divisible(e*C_in / 4) -> e*C_in (biases not counted, as for every conv). Not part of
    the search's Cost(alpha): the supernet has no SE."""
    macs = 0
    for spec, kernels in zip(macro.layers, arch):
        hidden = spec.in_channels * len(kernels)
        macs += 2 * hidden * make_divisible(hidden / 4)
    return macs / 1e6
