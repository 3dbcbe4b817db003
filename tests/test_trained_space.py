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


@pytest.mark.parametrize('order', ['sorted', 'positional'])
def test_export_slices_the_path_the_supernet_ran(tmp_path, order):
    """tools/deploy/export.py on a supernet checkpoint: a sorted-order supernet ran every layer's
    kernels sorted, so the export slices that path (not the file's order) and computes what the
    supernet computed."""
    import os

    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope

    from mmsgnas.deploy.loading import build_export_source
    from mmsgnas.space import Arch, UnifiedSpace, macro_from_cfg, save_subnet
    from test_models import randomise_bn

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    supernet_cfg = Config.fromfile(os.path.join(root, 'configs/demo/supernet_digits.py'))
    supernet_cfg.model.backbone.kernel_order = order
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        supernet = MODELS.build(supernet_cfg.model).eval()
    randomise_bn(supernet)
    path = str(tmp_path / 'supernet.pth')
    torch.save(dict(state_dict=supernet.state_dict(),
                    **meta(f"type='mmsgnas.UnifiedSupernet', kernel_order={order!r}")), path)
    export_cfg = Config.fromfile(os.path.join(root, 'configs/deploy/export_digits.py'))
    unsorted = Arch([[7, 3, 5]] * 19)
    save_subnet(tmp_path / 'net.yaml', unsorted,
                space=UnifiedSpace(macro_from_cfg(**export_cfg.model.backbone.macro)))

    source = build_export_source(str(tmp_path / 'net.yaml'), path, export_cfg)

    expected_arch = Arch([[3, 5, 7]] * 19) if order == 'sorted' else unsorted
    assert source.arch == expected_arch
    assert any('kernel_order' in note for note in source.notes) == (order == 'sorted')
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad(), supernet.backbone.using(unsorted):
        expected = supernet.extract_feat(x)
        got = source.model.extract_feat(x)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-4)
