"""The NAS-Bench-201 weight-sharing supernet as a backbone."""
import re
from typing import Any, Dict, Mapping, Tuple

import torch

from ...registry import MODELS
from ...space.nasbench201 import NUM_EDGES
from ..ops.nasbench201_ops import NasBench201SearchCell
from .nasbench201_net import NasBench201Backbone
from .supernet_base import PathSettingMixin

_MIXED_KEY = re.compile(r'^(?P<cell>.*\.cells\.\d+\.edges\.(?P<edge>\d+)\.)ops\.(?P<op>[a-z0-9_]+)'
                        r'\.(?P<rest>.+)$')


@MODELS.register_module()
class NasBench201Supernet(PathSettingMixin, NasBench201Backbone):
    """The macro of :class:`NasBench201Net` with supernet cells: every edge of every cell holds all
    5 operations (:class:`~mmsgnas.models.ops.nasbench201_ops.NasBench201MixedEdge`).

    Paths are set as :class:`PathSettingMixin` describes: a :class:`Cell` of :attr:`space` (all
    3N cells run it, each edge only its operation) or soft weights [B, 6, 5] (all cells mix their
    operations with them); with nothing set a training-mode forward samples a cell uniformly per
    edge. On one-hot weights the soft forward computes what the discrete one does, and on a cell
    the discrete forward computes what :class:`NasBench201Net` of that cell computes with the
    weights :meth:`standalone_state_dict` gives.

    Args: as :class:`NasBench201Backbone` (C, N, out_indices, frozen_stages, norm_eval, norm_cfg,
        init_cfg).
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._active = None

    def make_cell(self, channels: int) -> NasBench201SearchCell:
        return NasBench201SearchCell(channels, self.norm_cfg)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """x: [B, 3, H, W] -> tuple of feature maps, one per out index, on the set path."""
        with self.path_for_forward():
            return self.run(x, self._active)

    def standalone_state_dict(self, arch: Any, prefix: str = '') -> Dict[str, torch.Tensor]:
        """This supernet's weights as the state dict of ``NasBench201Net(arch)`` (same C, N),
        keys under ``prefix``."""
        return standalone_state_from_supernet(self.state_dict(), self.space.canonical(arch),
                                              prefix)


def standalone_state_from_supernet(supernet_state: Mapping[str, torch.Tensor], arch: Any,
                                   prefix: str = 'backbone.') -> Dict[str, torch.Tensor]:
    """Map a NAS-Bench-201 supernet state dict (keys under ``prefix``, e.g. a SupernetClassifier's
    ``backbone.``) to the state dict of the stand-alone network of the cell ``arch``: edge d of
    every cell keeps the weights of its operation (``...edges.d.ops.<op>.*`` becomes
    ``...edges.d.*``), the other operations are dropped, every other key (stem, reduction blocks,
    "lastact", a classifier head) is kept as it is."""
    out: Dict[str, torch.Tensor] = {}
    found = False
    for key, value in supernet_state.items():
        match = _MIXED_KEY.match(key) if key.startswith(prefix) else None
        if match is None:
            out[key] = value
            continue
        found = True
        edge = int(match['edge'])
        if edge >= NUM_EDGES:
            raise ValueError(f'{key}: edge {edge} outside 0..{NUM_EDGES - 1}')
        if match['op'] == arch[edge]:
            out[f'{match["cell"]}{match["rest"]}'] = value
    if not found:
        raise ValueError(f'no supernet edge weights under the prefix {prefix!r} (keys like '
                         f'"{prefix}stages.0.cells.0.edges.0.ops.nor_conv_3x3.conv.weight"); not '
                         'a NAS-Bench-201 supernet state?')
    return out
