from .searched_mobilenet import SearchedMobileNet
from .space_backbone import SearchSpaceBackbone
from .unified_supernet import UnifiedSupernet

__all__ = ['SearchedMobileNet', 'SearchSpaceBackbone', 'UnifiedSupernet']
