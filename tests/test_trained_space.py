"""A supernet checkpoint is refused by a model that would run its weights along other paths (the
kernel order: weights of either order load under the other without a shape error)."""
import pytest
import torch
from torch import nn

from mmsgnas.engine.checkpoint import check_trained_space, load_model_weights, trained_backbone_cfg
from mmsgnas.models import UnifiedSupernet
from mmsgnas.space.base import ArchError

TINY = dict(widen_factor=0.25, stem_stride=1, head_channels=64,
            layer_channels=[[16, 1], [24, 2], [24, 1]])


class Holder(nn.Module):
    def __init__(self, kernel_order: str) -> None:
        super().__init__()
        self.backbone = UnifiedSupernet(macro=TINY, kernel_order=kernel_order)


def meta(backbone_text: str) -> dict:
    return dict(meta=dict(cfg=f"model = dict(type='X', backbone=dict({backbone_text}))\n"))


def test_trained_backbone_cfg_reads_the_checkpoint_config():
    assert trained_backbone_cfg(meta("type='mmsgnas.UnifiedSupernet', kernel_order='sorted'")) \
        == dict(type='mmsgnas.UnifiedSupernet', kernel_order='sorted')
    assert trained_backbone_cfg(dict(state_dict={})) is None      # saved by hand
    assert trained_backbone_cfg(dict(meta=dict(cfg='model = dict(('))) is None   # unreadable


def test_kernel_order_mismatch_is_refused_with_both_values():
    positional = Holder('positional').backbone
    with pytest.raises(ArchError, match=r"x.pth: trained with backbone kernel_order='sorted'.*"
                       r"has kernel_order='positional'"):
        check_trained_space(positional, meta("kernel_order='sorted'"), 'x.pth')
    check_trained_space(positional, meta("kernel_order='positional'"), 'x.pth')
    # A config without the key was trained with the backbone's default, positional.
    check_trained_space(positional, meta("type='mmsgnas.UnifiedSupernet'"), 'x.pth')
    with pytest.raises(ArchError, match="kernel_order='positional'"):
        check_trained_space(Holder('sorted').backbone, meta("type='mmsgnas.UnifiedSupernet'"),
                            'x.pth')
    # Nothing recorded: nothing to compare with.
    check_trained_space(positional, dict(state_dict={}), 'x.pth')


def test_load_model_weights_refuses_a_supernet_of_the_other_order(tmp_path):
    trained = Holder('sorted')
    path = str(tmp_path / 'supernet.pth')
    torch.save(dict(state_dict=trained.state_dict(),
                    **meta("type='mmsgnas.UnifiedSupernet', kernel_order='sorted'")), path)
    same = Holder('sorted')
    load_model_weights(same, path)
    for key, value in trained.state_dict().items():
        assert torch.equal(same.state_dict()[key], value), key
    with pytest.raises(ArchError, match='kernel_order'):
        load_model_weights(Holder('positional'), path)
