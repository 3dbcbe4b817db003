"""FLOPs and parameters of the stand-alone classifier of a subnet file.

    python tools/analysis/get_flops.py SUBNET.yaml [--input-size 224] [--num-classes 1000]
        [--widen-factor 1.0] [--stem-stride 2] [--head-channels 1280]

FLOPs are conv + linear multiply-accumulates counted by mmengine.analysis on the built network
(BN, activations, pooling and additions not counted), in millions; the look-up table value of
mmsgnas.cost is printed too. The last two lines are ``FLOPs (M): x`` and ``Params (M): y``.
"""
import argparse

from mmsgnas.cost import build_cost_table, count_conv_linear_mflops
from mmsgnas.models import build_searched_classifier
from mmsgnas.space import MacroSpec, load_subnet


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('subnet', help='subnet file (.yaml)')
    parser.add_argument('--input-size', type=int, default=224)
    parser.add_argument('--num-classes', type=int, default=1000)
    parser.add_argument('--widen-factor', type=float, default=1.0)
    parser.add_argument('--stem-stride', type=int, default=2)
    parser.add_argument('--head-channels', type=int, default=1280)
    args = parser.parse_args(argv)

    arch, meta = load_subnet(args.subnet)
    macro = dict(widen_factor=args.widen_factor, stem_stride=args.stem_stride,
                 head_channels=args.head_channels)
    model = build_searched_classifier(arch, macro, args.num_classes)
    table = build_cost_table(MacroSpec(**macro), args.input_size, args.num_classes)
    flops = count_conv_linear_mflops(model, args.input_size)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    print(f'Subnet: {args.subnet} (expansion rates {list(arch.expansions)})')
    print(f'Input: 3x{args.input_size}x{args.input_size}, {args.num_classes} classes')
    print(f'Look-up table FLOPs (M): {table.arch_mflops(arch):.4f}')
    print(f'FLOPs (M): {flops:.4f}')
    print(f'Params (M): {params:.4f}')


if __name__ == '__main__':
    main()
