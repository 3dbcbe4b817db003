import random

import pytest
import torch

from mmsgnas.models import SearchedMobileNet, UnifiedBlock, UnifiedSupernet, first_channels_of
from mmsgnas.space import Arch, UnifiedSpace

DIGITS_MACRO = dict(widen_factor=0.5, stem_stride=1, head_channels=256)
SPACE = UnifiedSpace(DIGITS_MACRO)


def encode_layer(kernels):
    """[6, 4] one-hot weights of one layer's path."""
    return SPACE.encode(Arch([kernels] * 19))[:6]


def sample_arch(rng):
    return SPACE.sample(rng)


def randomise_bn(module, seed=0):
    gen = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def test_unified_block_discrete_equals_soft_one_hot():
    torch.manual_seed(0)
    block = UnifiedBlock(8, 8, 1).eval()
    randomise_bn(block)
    x = torch.randn(2, 8, 10, 10)
    for kernels in [(3, 3), (7, 3, 5), (5, 7, 5, 7), (7, 3, 3, 5, 3, 7)]:
        weights = encode_layer(kernels).unsqueeze(0).repeat(2, 1, 1)
        hard = block(x, kernels)
        assert hard.shape == (2, 8, 10, 10)
        torch.testing.assert_close(block(x, weights), hard, rtol=1e-5, atol=1e-5)


def test_soft_weights_can_differ_per_sample():
    torch.manual_seed(0)
    block = UnifiedBlock(8, 16, 2).eval()
    randomise_bn(block)
    x = torch.randn(2, 8, 9, 9)
    a, b = (7, 3), (5, 7, 5, 5, 7)
    weights = torch.stack([encode_layer(a), encode_layer(b)])
    out = block(x, weights)
    assert out.shape == (2, 16, 5, 5)
    torch.testing.assert_close(out[:1], block(x[:1], a), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(out[1:], block(x[1:], b), rtol=1e-5, atol=1e-5)


def test_discrete_path_touches_only_its_subblocks_and_shadow_bn():
    torch.manual_seed(0)
    block = UnifiedBlock(4, 4, 1).train()
    before = {k: v.clone() for k, v in block.state_dict().items()}
    block(torch.randn(4, 4, 6, 6), (7, 3, 7)).sum().backward()
    used = {'subblocks.0.k7', 'subblocks.1.k3', 'subblocks.2.k7'}
    for i in range(6):
        for k in (3, 5, 7):
            name = f'subblocks.{i}.k{k}'
            grad = block.subblocks[i][f'k{k}'].conv.weight.grad
            assert (grad is not None) == (name in used), name
    # e = 3 uses shadow BN index 1 only
    for index in range(5):
        changed = not torch.equal(before[f'shadow_bns.{index}.running_mean'],
                                  block.shadow_bns[index].running_mean)
        assert changed == (index == 1)
    # the first pointwise BN updates the statistics of the 3 active parts only (12 channels)
    changed = before['expand_bn.running_mean'] != block.expand_bn.running_mean
    assert changed[:12].all() and not changed[12:].any()
    # only the first 12 input channels of the projection get gradient
    grad = block.project_conv.weight.grad
    assert grad[:, :12].abs().sum() > 0 and grad[:, 12:].abs().sum() == 0


def test_supernet_outputs_and_path_control():
    torch.manual_seed(0)
    net = UnifiedSupernet(macro=DIGITS_MACRO, out_indices=(0, 1, 3, 5, 6))
    assert net.out_channels == (16, 24, 48, 160, 256)
    x = torch.randn(2, 3, 32, 32)
    net.train()
    outs = net(x)  # samples a path by itself in training
    assert [tuple(o.shape) for o in outs] == [(2, 16, 16, 16), (2, 24, 8, 8), (2, 48, 4, 4),
                                              (2, 160, 2, 2), (2, 256, 2, 2)]
    net.eval()
    with pytest.raises(RuntimeError, match='no architecture set'):
        net(x)
    arch = sample_arch(random.Random(0))
    with net.using(arch):
        discrete = net(x)
    assert net.active is None
    soft = SPACE.encode(arch).unsqueeze(0).repeat(2, 1, 1)
    with net.using(soft):
        mixed = net(x)
    for a, b in zip(discrete, mixed):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match='18 layers'):
        net.set_arch(Arch([[3, 3]] * 18))


def test_soft_path_at_unsorted_one_hot_weights_equals_the_decoded_network():
    """The generator's training path and the evaluated path use the same weights: one-hot
    weights with kernels out of order and skips anywhere (after structure) run exactly what
    their decoded architecture runs."""
    torch.manual_seed(0)
    net = UnifiedSupernet(macro=DIGITS_MACRO).eval()
    randomise_bn(net)
    x = torch.randn(2, 3, 32, 32)
    allowed = SPACE.allowed()
    for _ in range(3):
        choices = torch.randint(0, 4, (114,))
        choices[~allowed[torch.arange(114), choices]] = 2       # k7 where skip is not allowed
        onehot = torch.nn.functional.one_hot(choices, 4).float()
        arch = SPACE.decode(onehot)
        assert any(list(layer) != sorted(layer) for layer in arch)
        with net.using(arch):
            discrete = net(x)[-1]
        with net.using(SPACE.structure(onehot).unsqueeze(0).expand(2, -1, -1)):
            soft = net(x)[-1]
        torch.testing.assert_close(soft, discrete, rtol=1e-4, atol=1e-5)


def test_standalone_network_shapes_and_no_unused_parameters():
    arch = sample_arch(random.Random(1))
    net = SearchedMobileNet(arch, macro=DIGITS_MACRO, out_indices=(1, 3, 5))
    outs = net(torch.randn(2, 3, 32, 32))
    assert [o.shape[1] for o in outs] == list(net.out_channels) == [24, 48, 160]
    sum(o.sum() for o in outs).backward()
    unused = [n for n, p in net.named_parameters() if p.grad is None and not n.startswith('head')]
    assert unused == []
    for layer, kernels in zip(net.layers, arch):
        assert [c.kernel_size[0] for c in layer.depthwise] == list(kernels)


def test_norm_act_conv_configs_and_checkpointing_reach_every_layer():
    arch = sample_arch(random.Random(4))
    net = SearchedMobileNet(arch, macro=DIGITS_MACRO, se=True,
                            norm_cfg=dict(type='GN', num_groups=4),
                            act_cfg=dict(type='HSwish'))
    norms = [m for m in net.modules() if isinstance(m, torch.nn.GroupNorm)]
    assert norms and not any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())
    assert any(isinstance(m, torch.nn.Hardswish) for m in net.modules())
    assert not any(isinstance(m, torch.nn.ReLU6) for m in net.modules())
    frozen_affine = SearchedMobileNet(arch, macro=DIGITS_MACRO,
                                      norm_cfg=dict(type='BN', requires_grad=False))
    assert all(not p.requires_grad for m in frozen_affine.modules()
               if isinstance(m, torch.nn.BatchNorm2d) for p in m.parameters())
    torch.manual_seed(0)
    plain = SearchedMobileNet(arch, macro=DIGITS_MACRO).train()
    checkpointed = SearchedMobileNet(arch, macro=DIGITS_MACRO, with_cp=True).train()
    checkpointed.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 32, 32, requires_grad=True)
    out_plain, out_cp = plain(x)[-1], checkpointed(x)[-1]
    torch.testing.assert_close(out_cp, out_plain)
    out_plain.sum().backward()
    out_cp.sum().backward()
    torch.testing.assert_close(checkpointed.layers[3].expand.conv.weight.grad,
                               plain.layers[3].expand.conv.weight.grad)


def test_sync_bn_conversion_reaches_the_sliced_norm_of_the_unified_block():
    net = UnifiedSupernet(macro=DIGITS_MACRO)
    converted = torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
    block = converted.layers[0]
    assert isinstance(block.expand_bn, torch.nn.SyncBatchNorm)
    view = first_channels_of(block.expand_bn, 2 * block.in_channels)
    assert isinstance(view, torch.nn.SyncBatchNorm)
    assert view.running_mean.data_ptr() == block.expand_bn.running_mean.data_ptr()
    assert view.weight.shape == (2 * block.in_channels, )
    assert not any(type(m) is torch.nn.BatchNorm2d for m in converted.modules())
    converted.eval()
    with converted.using(sample_arch(random.Random(5))):
        assert converted(torch.randn(1, 3, 32, 32))[-1].shape == (1, 256, 2, 2)


def test_frozen_stages_and_norm_eval():
    net = SearchedMobileNet(Arch([[3, 3]] * 19), macro=DIGITS_MACRO, frozen_stages=2,
                            norm_eval=True)
    net.train()
    frozen = [net.stem, net.first_block] + [net.layers[i] for i in range(6)]
    assert all(not p.requires_grad for m in frozen for p in m.parameters())
    assert all(p.requires_grad for p in net.layers[6].parameters())
    assert all(not m.training for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d))
    with pytest.raises(ValueError, match='out_indices'):
        SearchedMobileNet(Arch([[3, 3]] * 19), macro=DIGITS_MACRO, out_indices=(7, ))


def test_subnet_file_path_builds_the_same_network(tmp_path):
    from mmsgnas.space import save_subnet
    arch = sample_arch(random.Random(2))
    save_subnet(tmp_path / 'a.yaml', arch, space=SPACE)
    net = SearchedMobileNet(str(tmp_path / 'a.yaml'), macro=DIGITS_MACRO)
    assert net.arch == arch and net.subnet_path == str(tmp_path / 'a.yaml')


def test_bn_recalibration_gives_exact_statistics_and_restores_them():
    from mmsgnas.models import recalibrated_bn
    torch.manual_seed(0)
    net = UnifiedSupernet(macro=DIGITS_MACRO).eval()
    arch = sample_arch(random.Random(3))
    batches = [torch.randn(8, 3, 32, 32) * 2 + 1 for _ in range(3)]
    before = {k: v.clone() for k, v in net.state_dict().items()}

    def forward(batch):
        with net.using(arch):
            net(batch)

    with recalibrated_bn(net, batches, forward):
        assert not net.training
        # the stem BN now holds the exact mean of its input over all three batches
        stem_out = torch.cat([net.stem.conv(b) for b in batches])
        torch.testing.assert_close(net.stem.bn.running_mean, stem_out.mean((0, 2, 3)),
                                   rtol=1e-4, atol=1e-5)
        # the first pointwise BN of layer 0 was recalibrated on its active channels
        layer0 = net.layers[0]
        active = len(arch[0]) * layer0.in_channels
        assert int(layer0.expand_bn.num_batches_tracked) == 3
        assert not torch.equal(layer0.expand_bn.running_mean[:active],
                               before['layers.0.expand_bn.running_mean'][:active])
        # shadow BNs of other expansion rates were not reached and kept their statistics
        other = 3 if len(arch[0]) != 5 else 2
        torch.testing.assert_close(layer0.shadow_bns[other].running_var,
                                   before[f'layers.0.shadow_bns.{other}.running_var'])
    after = net.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_backbone_stops_after_its_last_requested_output():
    """A detector taking stage outputs runs neither the later stages nor the head conv, and gets
    the same maps as a forward that runs everything."""
    arch = [[3, 5]] * 19
    macro = dict(widen_factor=0.25, stem_stride=1, head_channels=64)
    torch.manual_seed(0)
    truncated = SearchedMobileNet(arch, macro=macro, out_indices=(0, 1)).eval()
    full = SearchedMobileNet(arch, macro=macro, out_indices=(0, 1, -1)).eval()
    full.load_state_dict(truncated.state_dict())
    ran = []
    truncated.head.register_forward_hook(lambda *_: ran.append('head'))
    truncated.layers[-1].register_forward_hook(lambda *_: ran.append('last layer'))
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        got, want = truncated(x), full(x)
    assert ran == []
    assert len(got) == 2 and len(want) == 3
    for a, b in zip(got, want[:2]):
        assert torch.equal(a, b)
