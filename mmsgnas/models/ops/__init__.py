from .layers import conv_bn_act, first_block
from .mixed_mbconv import MixedKernelMBConv
from .squeeze_excite import SqueezeExcite
from .unified_block import UnifiedBlock

__all__ = ["conv_bn_act", "first_block", "MixedKernelMBConv", "SqueezeExcite", "UnifiedBlock"]
