from .layers import conv_norm_act, first_block
from .mixed_mbconv import MixedKernelMBConv
from .unified_block import UnifiedBlock, first_channels_of

__all__ = ['conv_norm_act', 'first_block', 'first_channels_of', 'MixedKernelMBConv', 'UnifiedBlock']
