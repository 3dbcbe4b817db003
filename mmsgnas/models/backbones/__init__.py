from .mobilenet_v2_stem import MobileNetV2WithStemStride
from .nasbench201_net import NasBench201Net
from .nasbench201_supernet import NasBench201Supernet
from .searched_mobilenet import SearchedMobileNet
from .single_path_supernet import SinglePathSupernet
from .space_backbone import SearchSpaceBackbone
from .supernet_base import PathSettingMixin
from .unified_supernet import UnifiedSupernet

__all__ = ['MobileNetV2WithStemStride', 'NasBench201Net', 'NasBench201Supernet',
           'PathSettingMixin', 'SearchedMobileNet', 'SearchSpaceBackbone', 'SinglePathSupernet',
           'UnifiedSupernet']
