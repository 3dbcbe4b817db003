"""Search spaces as plain data behind one interface (:class:`SearchSpace`, registered in SPACES):
the SGNAS unified MobileNet space and NAS-Bench-201. Subnet files of any space."""
from .arch import Arch, as_arch, layer_choices, layer_paths
from .base import ArchError, SearchSpace, check_same_space
from .spec import IMAGENET_LAYERS, SPACE_NAME, LayerSpec, MacroSpec, macro_from_cfg, make_divisible
from .subnet_file import SubnetFileError, dump_subnet, load_subnet, parse_subnet, save_subnet, space_class
from .unified import UnifiedSpace

__all__ = [
    'Arch', 'ArchError', 'SearchSpace', 'check_same_space', 'as_arch', 'layer_choices',
    'layer_paths', 'IMAGENET_LAYERS', 'SPACE_NAME', 'LayerSpec', 'MacroSpec', 'macro_from_cfg',
    'make_divisible', 'SubnetFileError', 'dump_subnet', 'load_subnet', 'parse_subnet',
    'save_subnet', 'space_class', 'UnifiedSpace', 'NasBench201Space', 'build_space'
]


def build_space(cfg) -> SearchSpace:
    """A space from its config (``dict(type='mmsgnas.UnifiedSpace', ...)``) or an instance."""
    if isinstance(cfg, SearchSpace):
        return cfg
    from ..registry import SPACES
    return SPACES.build(cfg)
from .nasbench201 import NasBench201Space
