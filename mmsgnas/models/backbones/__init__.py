from .searched_mobilenet import SearchedMobileNet
from .space_backbone import SearchSpaceBackbone
from .supernet_base import PathSettingMixin
from .unified_supernet import UnifiedSupernet

__all__ = ['PathSettingMixin', 'SearchedMobileNet', 'SearchSpaceBackbone', 'UnifiedSupernet']
