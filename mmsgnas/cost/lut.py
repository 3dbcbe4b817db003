"""FLOPs look-up table of the unified MobileNet space.

What is counted: multiply-accumulates (MACs) of every convolution and of the final linear
classifier, reported in MFLOPs (1e6 MACs), the convention of the NAS papers and of
``mmengine.analysis``. Not counted: batch norm, activations, residual additions, pooling, dropout,
and biases. Every active sub-block of a layer costs its share of the first pointwise conv
(C_in x C_in per pixel of the input), its depthwise conv (C_in x k x k per pixel of the output) and
its share of the second pointwise conv (C_in x C_out per output pixel), so the cost of a layer is
linear in its sub-block choices and Cost(alpha) is exact on one-hot input.
"""
from typing import List

from ..space.spec import KERNEL_SIZES, NUM_SUBBLOCKS, MacroSpec, make_divisible
from .table import CostTable


def conv_output_size(size: int, stride: int) -> int:
    """Spatial size after a 'same'-padded conv (padding k // 2, odd k) of the given stride."""
    return (size - 1) // stride + 1


def unified_flops_table(space, input_size: int = 224, num_classes: int = 1000) -> CostTable:
    """FLOPs table of the stand-alone classifier of the unified ``space`` (its macro structure) at
    ``input_size`` pixels: [L * 6, 4] MACs of one sub-block with choice [k3, k5, k7, skip]."""
    macro: MacroSpec = space.macro
    stem_c, first_c, head_c = (macro.scaled_stem_channels, macro.scaled_first_channels,
                               macro.scaled_head_channels)
    size = conv_output_size(input_size, macro.stem_stride)
    base = 3 * stem_c * 9 * size ** 2              # stem conv 3x3
    base += stem_c * 9 * size ** 2                 # first block: depthwise 3x3
    base += stem_c * first_c * size ** 2           # first block: pointwise
    table: List[tuple] = []
    for spec in macro.layers:
        out_size = conv_output_size(size, spec.stride)
        c_in = spec.in_channels
        shared = c_in * c_in * size ** 2 + c_in * spec.out_channels * out_size ** 2
        row = tuple(shared + c_in * k * k * out_size ** 2 for k in KERNEL_SIZES) + (0,)
        table += [row] * NUM_SUBBLOCKS
        size = out_size
    base += macro.layers[-1].out_channels * head_c * size ** 2   # head conv 1x1
    base += head_c * num_classes                                 # linear classifier
    return CostTable(space, base, tuple(table), input_size, num_classes)


def se_mflops(macro: MacroSpec, arch) -> float:
    """MFLOPs that squeeze-and-excitation in every searched block adds (``se=True`` of the
    stand-alone network): per layer two 1x1 convs on the pooled e*C_in channels, e*C_in ->
    make_divisible(e*C_in / 4) -> e*C_in (biases not counted, as for every conv). Not part of
    the search's Cost(alpha): the supernet has no SE."""
    macs = 0
    for spec, kernels in zip(macro.layers, arch):
        hidden = spec.in_channels * len(kernels)
        macs += 2 * hidden * make_divisible(hidden / 4)
    return macs / 1e6
