"""Parameters of the unified supernet against multi-branch single-path supernets (paper Fig. 6b).

    python tools/analysis/supernet_params.py [--widen-factor 1.0]

A multi-branch supernet has, in each of the same 19 layers, one full inverted-bottleneck block per
candidate operation; stem, first block, head and a 1000-way classifier are shared by all. Candidate
sets: 6 (FairNAS / ProxylessNAS: kernel {3,5,7} x expansion {3,6}), 13 (GreedyNAS / ScarletNAS:
the same with and without squeeze-and-excitation, plus identity) and 80 (one block per canonical
choice of the unified space). Modules are built on the meta device, so nothing is allocated.
"""
import argparse
from typing import Dict, List

import torch
from torch import nn

from mmpretrain.models.utils import SELayer

from mmsgnas.models import MixedKernelMBConv, UnifiedSupernet
from mmsgnas.space import LayerSpec, MacroSpec, layer_choices


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def candidate_blocks(spec: LayerSpec, kind: str) -> List[nn.Module]:
    """The candidate blocks of one layer of a multi-branch supernet."""
    def block(kernel: int, expansion: int) -> nn.Module:
        return MixedKernelMBConv(spec.in_channels, spec.out_channels, spec.stride,
                                 (kernel, ) * expansion)

    if kind == '6':
        return [block(k, e) for k in (3, 5, 7) for e in (3, 6)]
    if kind == '13':
        plain = [block(k, e) for k in (3, 5, 7) for e in (3, 6)]
        with_se = [nn.Sequential(block(k, e), SELayer(spec.in_channels * e, ratio=4))
                   for k in (3, 5, 7) for e in (3, 6)]
        return plain + with_se  # + identity, which has no parameters
    if kind == '80':
        return [MixedKernelMBConv(spec.in_channels, spec.out_channels, spec.stride, kernels)
                for kernels in layer_choices()]
    raise ValueError(kind)


def supernet_params(macro: MacroSpec) -> Dict[str, int]:
    """Parameter counts: the unified supernet and the multi-branch ones, all with a 1000-way
    classifier on the head."""
    classifier = macro.scaled_head_channels * 1000 + 1000
    with torch.device('meta'):
        unified = UnifiedSupernet(macro=macro)
        shared = count(unified) - count(unified.layers)
        counts = {'unified (80 choices/layer)': count(unified) + classifier}
        for kind in ('6', '13', '80'):
            layers = sum(count(b) for spec in macro.layers for b in candidate_blocks(spec, kind))
            counts[f'multi-branch, {kind} candidates/layer'] = shared + layers + classifier
    return counts


def main(argv=None) -> Dict[str, int]:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--widen-factor', type=float, default=1.0)
    args = parser.parse_args(argv)
    counts = supernet_params(MacroSpec(widen_factor=args.widen_factor))
    unified = counts['unified (80 choices/layer)']
    print(f'{"supernet":40s} {"params (M)":>11s} {"unified / this":>15s}')
    for name, value in counts.items():
        print(f'{name:40s} {value / 1e6:11.2f} {unified / value:15.3f}')
    return counts


if __name__ == '__main__':
    main()
