"""MobileNetV2WithStemStride: mmpretrain's MobileNetV2 with only the stem stride changed."""
import pytest
import torch
from mmpretrain.models.backbones import MobileNetV2

from mmsgnas.models.backbones import MobileNetV2WithStemStride
from mmsgnas.registry import MODELS


def test_stride_one_stem_doubles_every_output_side():
    torch.manual_seed(0)
    stock = MobileNetV2(widen_factor=0.55, out_indices=(1, 3, 7))
    stride1 = MobileNetV2WithStemStride(widen_factor=0.55, out_indices=(1, 3, 7), stem_stride=1)
    stock.eval()   # mmpretrain's train() returns None: no chaining
    stride1.eval()
    x = torch.randn(2, 3, 32, 32)
    assert [tuple(y.shape[-2:]) for y in stock(x)] == [(8, 8), (2, 2), (1, 1)]
    assert [tuple(y.shape[-2:]) for y in stride1(x)] == [(16, 16), (4, 4), (2, 2)]


def test_checkpoint_initialises_the_stock_network_with_equal_results():
    torch.manual_seed(0)
    stride1 = MobileNetV2WithStemStride(widen_factor=0.55, stem_stride=1)
    stock = MobileNetV2(widen_factor=0.55)
    stock.load_state_dict(stride1.state_dict(), strict=True)
    stride1.eval()
    stock.eval()
    x = torch.randn(1, 3, 64, 64)
    # at stride 2 on a 64x64 input the stock network sees what stride 1 sees on every 2nd pixel
    stride1.conv1.conv.stride = (2, 2)
    torch.testing.assert_close(stock(x)[-1], stride1(x)[-1])


def test_default_is_the_stock_stride_and_bad_strides_are_refused():
    built = MODELS.build(dict(type='mmsgnas.MobileNetV2WithStemStride', widen_factor=0.5))
    assert built.conv1.conv.stride == (2, 2)
    with pytest.raises(ValueError, match='stem_stride must be 1 or 2'):
        MobileNetV2WithStemStride(stem_stride=4)
