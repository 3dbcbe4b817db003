"""The search space as plain data: specs, the Arch type, sampling, encodings and subnet files."""
from .arch import Arch, ArchError, as_arch, canonical_layer, layer_choices, space_size
from .encoding import decode, decode_batch, encode
from .sampling import crossover, mutate, sample_arch, sample_layer
from .spec import (IMAGENET_LAYERS, KERNEL_SIZES, MAX_EXPANSION, MIN_EXPANSION, NUM_CHOICES,
                   NUM_SUBBLOCKS, SKIP, SPACE_NAME, LayerSpec, MacroSpec, macro_from_cfg,
                   make_divisible)
from .subnet_file import SubnetFileError, dump_subnet, load_subnet, parse_subnet, save_subnet

__all__ = [
    'Arch', 'ArchError', 'as_arch', 'canonical_layer', 'layer_choices', 'space_size', 'decode',
    'decode_batch', 'encode', 'crossover', 'mutate', 'sample_arch', 'sample_layer',
    'IMAGENET_LAYERS', 'KERNEL_SIZES', 'MAX_EXPANSION', 'MIN_EXPANSION', 'NUM_CHOICES',
    'NUM_SUBBLOCKS', 'SKIP', 'SPACE_NAME', 'LayerSpec', 'MacroSpec', 'macro_from_cfg',
    'make_divisible', 'SubnetFileError', 'dump_subnet', 'load_subnet', 'parse_subnet', 'save_subnet'
]
