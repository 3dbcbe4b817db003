"""FLOPs and parameters of a searched network: from a subnet file, or from a whole config.

    python tools/analysis/get_flops.py SUBNET.yaml [--input-size 224] [--num-classes 1000]
        [--widen-factor 1.0] [--stem-stride 2] [--head-channels 1280] [--se] [--act relu6|hswish]
        [--space-options key=value ...]
    python tools/analysis/get_flops.py CONFIG.py [--shape H W] [--cfg-options ...]

FLOPs are conv + linear multiply-accumulates counted by mmengine.analysis on the built network
(BN, activations, pooling, additions and biases not counted), in millions. For a subnet file the
stand-alone classifier is built and the look-up-table value of mmsgnas.cost is printed too. For a
config (a classifier or a detector, e.g. configs/retinanet/*.py) the backbone alone and the whole
model are counted on one [1, 3, H, W] input. The last two lines are ``FLOPs (M): x`` (the whole
model) and ``Params (M): y``.
"""
import argparse

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import MODELS, DefaultScope

from mmsgnas.cost import count_conv_linear_mflops, se_mflops
from mmsgnas.models import build_standalone_classifier
from mmsgnas.space import SPACE_NAME, UnifiedSpace, load_subnet, space_class


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('source', help='a subnet file (.yaml) or a config (.py)')
    subnet = parser.add_argument_group('subnet files')
    subnet.add_argument('--input-size', type=int, default=224)
    subnet.add_argument('--num-classes', type=int, default=1000)
    subnet.add_argument('--widen-factor', type=float, default=1.0)
    subnet.add_argument('--stem-stride', type=int, default=2)
    subnet.add_argument('--head-channels', type=int, default=1280)
    subnet.add_argument('--se', action='store_true', help='squeeze-and-excitation in every block')
    subnet.add_argument('--act', choices=['relu6', 'hswish'], default='relu6')
    subnet.add_argument('--space-options', nargs='+', action=DictAction, default={},
                        help='arguments of a space other than the unified one, e.g. C=16 N=5 '
                        'for NAS-Bench-201')
    config = parser.add_argument_group('configs')
    config.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input size (default: 224 224 for classifiers, 800 1333 for others)')
    config.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def count_mflops(module: torch.nn.Module, shape) -> float:
    from mmengine.analysis import FlopAnalyzer
    from mmsgnas.cost.counter import CONV_LINEAR_OPS
    analyzer = FlopAnalyzer(module, torch.zeros(1, 3, *shape))
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    return sum(v for k, v in analyzer.by_operator().items() if k in CONV_LINEAR_OPS) / 1e6


def from_subnet(args: argparse.Namespace) -> None:
    name = load_subnet(args.source)[1]['space']
    extra = {}
    if name == SPACE_NAME:
        space = UnifiedSpace(dict(widen_factor=args.widen_factor, stem_stride=args.stem_stride,
                                  head_channels=args.head_channels))
        extra = dict(se=args.se, act_cfg=dict(type='HSwish' if args.act == 'hswish' else 'ReLU6'))
    else:
        space = space_class(name)(**args.space_options)
    arch, _ = load_subnet(args.source, space)
    model = build_standalone_classifier(space, arch, args.num_classes, **extra)
    table = space.cost_table(args.input_size, args.num_classes)
    lut = table.arch_mflops(arch) + (se_mflops(space.macro, arch) if args.se else 0.0)
    flops = count_conv_linear_mflops(model, args.input_size)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    print(f'Subnet: {args.source} ({space.name}: {space.describe(arch)})')
    print(f'Stand-alone classifier: {extra}; input 3x{args.input_size}x'
          f'{args.input_size}, {args.num_classes} classes')
    print(f'Look-up table FLOPs (M): {lut:.4f}')
    print(f'FLOPs (M): {flops:.4f}')
    print(f'Params (M): {params:.4f}')


def from_config(args: argparse.Namespace) -> None:
    cfg = Config.fromfile(args.source)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.model.setdefault('data_preprocessor', cfg.get('data_preprocessor'))
    if cfg.model.get('backbone', {}).get('init_cfg', {}):
        cfg.model.backbone.init_cfg = None   # counting needs no trained weights
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(cfg.model).eval()
    is_classifier = hasattr(model, 'head') and not hasattr(model, 'bbox_head')
    shape = args.shape or ((224, 224) if is_classifier else (800, 1333))
    backbone = count_mflops(model.backbone, shape)
    whole = count_mflops(model, shape)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    backbone_params = sum(p.numel() for p in model.backbone.parameters()) / 1e6
    print(f'Config: {args.source} ({type(model).__name__}); input 1x3x{shape[0]}x{shape[1]}')
    print(f'Backbone only ({type(model.backbone).__name__}): FLOPs (M) {backbone:.4f}, '
          f'Params (M) {backbone_params:.4f}')
    print('Whole model (conv + linear MACs of the forward, no post-processing):')
    print(f'FLOPs (M): {whole:.4f}')
    print(f'Params (M): {params:.4f}')


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.source.endswith('.py'):
        from_config(args)
    else:
        from_subnet(args)


if __name__ == '__main__':
    main()
