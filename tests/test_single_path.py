"""Single-Path NAS on the unified space: superkernel blocks, thresholds, cost term, hook, configs."""
import copy
import json
import os
import random
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope

from mmsgnas.engine.single_path_hooks import SinglePathSearchHook
from mmsgnas.models import UnifiedSupernet
from mmsgnas.models.builder import build_standalone_classifier
from mmsgnas.models.utils import batch_statistics
from mmsgnas.models.algorithms.single_path_nas import SinglePathNAS
from mmsgnas.models.backbones.single_path_supernet import (SinglePathSupernet,
                                                           inherit_from_single_path,
                                                           unified_supernet_state)
from mmsgnas.models.ops.superkernel_block import (SuperkernelBlock, kernel_masks,
                                                  straight_through_indicator)
from mmsgnas.registry import MODELS
from mmsgnas.space import Arch, load_subnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIGITS_MACRO = dict(widen_factor=0.5, stem_stride=1, head_channels=256)
DIGITS_CONFIG = os.path.join(ROOT, 'configs/single_path/single_path_digits.py')
IN1K_CONFIG = os.path.join(ROOT, 'configs/single_path/single_path_8xb128_in1k.py')


def randomise_bn(module, seed=0):
    gen = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def build_search(cost=None, **kwargs):
    torch.manual_seed(0)
    model = SinglePathNAS(
        backbone=dict(type='mmsgnas.SinglePathSupernet', macro=DIGITS_MACRO, **kwargs),
        input_size=32, cost=cost,
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=10, in_channels=256,
                  loss=dict(type='mmpretrain.LabelSmoothLoss', label_smooth_val=0.1,
                            mode='original')))
    model.init_weights()
    return model


def standalone_classifier(space, arch):
    # space.classifier_cfg gives an 'mmpretrain.ImageClassifier' whose unprefixed defaults (the
    # ClsDataPreprocessor) only resolve in mmpretrain's scope: the package's builder builds it there.
    return build_standalone_classifier(space, arch, num_classes=10)


def data_samples(labels):
    from mmpretrain.structures import DataSample
    return [DataSample().set_gt_label(int(y)) for y in labels]


ARCHS = [Arch([[3, 3]] * 19), Arch([[7] * 6] * 19), Arch([[5, 7, 3]] * 19)]


# -- the superkernel ----------------------------------------------------------------------------
def test_kernel_masks_partition_the_superkernel_into_nested_candidates():
    masks = kernel_masks()
    assert masks.shape == (3, 7, 7)
    torch.testing.assert_close(masks.sum(0), torch.ones(7, 7))
    assert masks.sum(dim=(1, 2)).tolist() == [9, 16, 24]
    assert masks[0, 2:5, 2:5].all() and masks[1, 1:6, 1:6].sum() == 16


def test_straight_through_indicator_is_exact_forward_and_sigmoid_backward():
    x = torch.tensor([-0.3, 0.0, 0.2], requires_grad=True)
    out = straight_through_indicator(x, temperature=0.5)
    assert out.tolist() == [0.0, 1.0, 1.0]
    out.sum().backward()
    soft = torch.sigmoid(x.detach() / 0.5)
    torch.testing.assert_close(x.grad, soft * (1 - soft) / 0.5)


@pytest.mark.parametrize('mode', ['eval', 'train'])
def test_thresholds_selecting_an_arch_equal_the_standalone_network_with_sliced_weights(mode):
    """The supernet with thresholds set to select a discrete architecture computes what the
    stand-alone network of that architecture computes with the kernels sliced out of the
    superkernels (BN with running statistics, and with batch statistics)."""
    model = build_search()
    backbone = model.backbone
    randomise_bn(model)
    space = backbone.space
    x = torch.randn(4, 3, 32, 32)
    archs = ARCHS + [space.sample(random.Random(seed)) for seed in range(3)]
    for arch in archs:
        backbone.thresholds_selecting(arch)
        assert backbone.decode() == arch
        alone = standalone_classifier(space, arch)
        inherit_from_single_path(alone, model.state_dict(), arch)
        model.train(mode == 'train')
        alone.train(mode == 'train')
        with torch.no_grad():
            expected = alone(x, mode='tensor')
            got = model(x, mode='tensor')
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


def test_set_arch_and_thresholds_run_the_same_path_and_the_unified_supernet_agrees():
    model = build_search()
    backbone = model.backbone.eval()
    randomise_bn(backbone)
    arch = backbone.space.sample(random.Random(7))
    x = torch.randn(2, 3, 32, 32)
    backbone.thresholds_selecting(arch)
    with torch.no_grad():
        by_thresholds = backbone(x)[-1]
        backbone.thresholds_selecting(ARCHS[1])      # the thresholds now select another path
        with backbone.using(arch):
            by_arch = backbone(x)[-1]
        unified = UnifiedSupernet(macro=DIGITS_MACRO).eval()
        state = {k[len('backbone.'):]: v for k, v in
                 unified_supernet_state(model.state_dict()).items() if k.startswith('backbone.')}
        unified.load_state_dict(state, strict=True)
        with unified.using(arch):
            by_unified = unified(x)[-1]
    assert torch.equal(by_thresholds, by_arch)
    torch.testing.assert_close(by_unified, by_arch, rtol=1e-5, atol=1e-5)
    with pytest.raises(TypeError, match='not soft mixtures'):
        backbone.set_soft_weights(torch.zeros(1, 114, 4))


def test_block_path_and_threshold_decisions_agree():
    torch.manual_seed(0)
    block = SuperkernelBlock(8, 8, 1)
    for kernels in [(3, 3), (7, 5, 3), (5, 5, 5, 5, 5, 7)]:
        block.thresholds_selecting(kernels)
        assert torch.equal(block.decisions().detach(), block.path_decisions(kernels))
    with pytest.raises(ValueError, match='layer path'):
        block.path_decisions((3, ))
    with pytest.raises(ValueError, match='norm must be'):
        SuperkernelBlock(8, 8, 1, norm='l1')


# -- gradients ----------------------------------------------------------------------------------
@pytest.mark.parametrize('norm', ['rms', 'l2'])
def test_cost_gradient_reaches_the_thresholds_exactly_through_the_surrogate(norm):
    """With all thresholds 0 the largest path (k7 everywhere, e = 6) is selected. A sub-block
    costs ``alive * (c3 + wide * ((c5 - c3) + full * (c7 - c5))) + (1 - alive) * c_skip`` (the
    nested form, as the authors' runtime model), and d indicator / d t = -s'(n - t), so at
    alive = wide = full = 1:

    * 'full' of sub-block i: -(c7 - c5) s';
    * 'wide' of sub-block i: -((c5 - c3) + full * (c7 - c5)) s' = -(c7 - c3) s' (switching k >= 5
      off from k7 drops to k3, not to k5);
    * 'active' of sub-block j >= 2 (alive_i = prod_{m <= i} active_m): -sum_{i >= j} (c7_i -
      c_skip_i) s'.
    """
    model = build_search(norm=norm)
    backbone = model.backbone
    decisions = backbone.decisions()
    cost = model.cost_table.soft_cost(backbone.cost_weights(decisions))
    assert abs(float(cost) - model.cost_table.arch_cost(ARCHS[1])) < 1e-4
    cost.backward()
    table = model.cost_table.tensor(dtype=torch.float64)
    for index in (0, 7, 18):
        layer = backbone.layers[index]
        norms = layer.norms().detach().double()
        slope = torch.sigmoid(norms) * (1 - torch.sigmoid(norms))        # s'(n - 0)
        rows = table[index * 6:(index + 1) * 6]                            # [6, 4]: k3 k5 k7 skip
        c3, c5, c7, skip = rows.unbind(1)
        assert (c3 < c5).all() and (c5 < c7).all()     # so 'wide' and 'full' differ from k5 - k3
        full = -(c7 - c5) * slope[:, 2]
        wide = -((c5 - c3) + 1.0 * (c7 - c5)) * slope[:, 1]
        active = torch.stack([-(c7[j:] - skip[j:]).sum() * slope[j, 0] for j in range(2, 6)])
        torch.testing.assert_close(layer.kernel_threshold.grad.double(),
                                   torch.stack([wide, full], dim=1), rtol=1e-5, atol=1e-9)
        torch.testing.assert_close(layer.active_threshold.grad.double(), active, rtol=1e-5,
                                   atol=1e-9)

    # and at a k5 path (full = 0) 'wide' costs exactly k5 - k3
    model.zero_grad()
    backbone.thresholds_selecting(Arch([[5] * 6] * 19))
    decisions = backbone.decisions()
    assert decisions[..., 2].sum() == 0 and decisions[..., 1].sum() == 19 * 6
    model.cost_table.soft_cost(backbone.cost_weights(decisions)).backward()
    for index in (0, 7, 18):
        layer = backbone.layers[index]
        x = (layer.norms()[:, 1] - layer.kernel_threshold[:, 0]).detach().double()
        rows = table[index * 6:(index + 1) * 6]
        expected = -(rows[:, 1] - rows[:, 0]) * torch.sigmoid(x) * (1 - torch.sigmoid(x))
        torch.testing.assert_close(layer.kernel_threshold.grad[:, 0].double(), expected,
                                   rtol=1e-5, atol=1e-9)


def ring_sees_input(size, stride, radius, pad=3):
    """Whether the weights at distance ``radius`` from the centre of a 7x7 depthwise kernel
    (padding 3, ``stride``) multiply any input pixel of a ``size`` x ``size`` map, rather than only
    zero padding: some output position o and offset +-radius land inside the map."""
    outputs = (size + 2 * pad - 7) // stride + 1
    return any(0 <= stride * o + d < size for o in range(outputs) for d in (-radius, radius))


def test_cross_entropy_and_cost_gradients_reach_every_threshold_and_superkernel():
    """CE + cost reach every threshold (the 4 active thresholds of sub-blocks 2..5, and wide /
    full of all 6; sub-blocks 0 and 1 are always active and have no active threshold) and every
    superkernel. CE alone reaches a wide / full threshold exactly when its ring multiplies an
    input pixel: in a layer whose input is 2x2 (the last stage at 32x32 input here), the 5x5 and
    7x7 rings only ever multiply zero padding, k3, k5 and k7 compute the same function, and CE's
    gradient to those thresholds is exactly 0 (only the cost term moves them there)."""
    model = build_search(cost=dict(mode='log', weight=0.1)).train()
    x, labels = torch.randn(8, 3, 32, 32), torch.randint(0, 10, (8, ))
    sizes = {}
    handles = [layer.register_forward_pre_hook(
        lambda module, args, index=index: sizes.__setitem__(index, tuple(args[0].shape[-2:])))
        for index, layer in enumerate(model.backbone.layers)]
    losses = model.loss(x, data_samples(labels))
    for handle in handles:
        handle.remove()
    assert losses['cost_on'] == 1 and set(losses) >= {'loss', 'loss_cost', 'flops'}
    (losses['loss'] + losses['loss_cost']).backward()
    for layer in model.backbone.layers:
        assert layer.active_threshold.shape == (4, )
        assert layer.kernel_threshold.grad.abs().min() > 0
        assert layer.active_threshold.grad.abs().min() > 0
        for sub in layer.subblocks:
            assert sub.conv.weight.grad.abs().sum() > 0

    # the cross-entropy alone reaches the thresholds too (through the surrogate), exactly where a
    # ring sees the input (wide switches the 5x5 and the 7x7 ring at full = 1, full the 7x7 ring)
    model.zero_grad()
    model.loss(x, data_samples(labels))['loss'].backward()
    blind = []
    for index, layer in enumerate(model.backbone.layers):
        (height, width), stride = sizes[index], layer.stride
        assert height == width
        sees = [ring_sees_input(height, stride, 2) or ring_sees_input(height, stride, 3),
                ring_sees_input(height, stride, 3)]
        grad = layer.kernel_threshold.grad                                      # [6, 2]
        for column, seen in enumerate(sees):
            if seen:
                assert (grad[:, column] != 0).all(), (index, column, grad)
            else:
                assert (grad[:, column] == 0).all(), (index, column, grad)
                blind.append(index)
        assert (layer.active_threshold.grad != 0).all()
    # both cases occur: the last stage (2x2 input) is blind, every earlier layer sees its input
    assert sorted(set(blind)) == [15, 16, 17, 18]


def test_a_skipped_subblock_ends_its_layer_and_passes_no_gradient_to_later_thresholds():
    torch.manual_seed(0)
    block = SuperkernelBlock(8, 8, 1)
    block.thresholds_selecting((3, 5, 7, 7))
    with torch.no_grad():
        block.active_threshold[3] = -1.0            # sub-block 5 itself would be active
    decisions = block.decisions()
    assert decisions[:, 0].tolist() == [1, 1, 1, 1, 0, 0]
    block(torch.randn(2, 8, 6, 6), decisions).sum().backward()
    assert block.active_threshold.grad[3] == 0      # behind the skip of sub-block 4
    assert block.active_threshold.grad[2] != 0


# -- the decoded architecture -------------------------------------------------------------------
def test_decoded_architecture_is_always_valid_canonical_and_costed_exactly():
    model = build_search()
    backbone, space, table = model.backbone, model.space, model.cost_table
    gen = torch.Generator().manual_seed(0)
    seen = set()
    for _ in range(30):
        with torch.no_grad():
            for layer in backbone.layers:
                norms = layer.norms()
                layer.active_threshold.copy_(
                    norms[2:, 0] * (0.5 + torch.rand(4, generator=gen)))
                layer.kernel_threshold.copy_(norms[:, 1:] * (0.5 + torch.rand(6, 2, generator=gen)))
        decisions = backbone.decisions()
        arch = backbone.decode(decisions)
        assert arch == space.canonical(arch.to_lists())
        assert space.from_choices(space.choices(arch)) == arch
        assert min(arch.expansions) >= 2
        assert space.from_text(space.to_text(arch)) == arch
        weights = backbone.cost_weights(decisions)
        assert torch.equal(weights.detach(), space.encode(arch))
        assert abs(float(table.soft_cost(weights)) - table.arch_cost(arch)) < 1e-4
        seen.add(space.to_text(arch))
    assert len(seen) == 30
    with pytest.raises(ValueError, match='0/1 indicators'):
        backbone.decode(torch.full((19, 6, 3), 0.5))


def test_unified_state_has_every_candidate_as_the_centre_of_its_superkernel():
    model = build_search()
    state = unified_supernet_state(model.state_dict())
    weight = model.backbone.layers[3].subblocks[2].conv.weight
    for k, start in ((3, 2), (5, 1), (7, 0)):
        sliced = state[f'backbone.layers.3.subblocks.2.k{k}.conv.weight']
        assert torch.equal(sliced, weight[..., start:start + k, start:start + k])
        assert torch.equal(state[f'backbone.layers.3.subblocks.2.k{k}.bn.running_var'],
                           model.backbone.layers[3].subblocks[2].bn.running_var)
    assert not any('threshold' in k for k in state)


# -- BN statistics of the evaluated path ---------------------------------------------------------
def norms_of(model):
    return {n: m for n, m in model.named_modules() if isinstance(m, torch.nn.BatchNorm2d)}


def test_bn_recalibration_gives_every_norm_of_the_thresholds_path_its_own_statistics():
    model = build_search()
    model.backbone.thresholds_selecting(ARCHS[2])          # expansion 3 in every layer
    norms = norms_of(model)
    gen = torch.Generator().manual_seed(0)
    # running statistics of another path, as indicator dropout and moving thresholds leave them
    model.train()
    with torch.no_grad(), model.backbone.using(ARCHS[1]):
        model.extract_feat(torch.randn(8, 3, 32, 32, generator=gen))
    before = {n: (m.running_mean.clone(), m.running_var.clone(), int(m.num_batches_tracked))
              for n, m in norms.items()}
    batches = [torch.randn(8, 3, 32, 32, generator=gen) for _ in range(2)]
    # the reference: each norm's inputs in batch-statistics forwards of the thresholds' path
    seen = {}
    handles = [m.register_forward_pre_hook(
        lambda mod, inp, n=n: seen.setdefault(n, []).append(inp[0].detach()))
        for n, m in norms.items()]
    with torch.no_grad(), batch_statistics(model):
        for x in batches:
            model.extract_feat(x)
    for handle in handles:
        handle.remove()
    model.eval()
    assert model.recalibrate_bn(iter(batches)) == 2
    assert not model.training and not any(m.training for m in norms.values())
    assert 'backbone.layers.0.shadow_bns.1' in seen and 'backbone.layers.0.shadow_bns.4' not in seen
    for n, m in norms.items():
        assert m.momentum == 0.1 and int(m.num_batches_tracked) == before[n][2], n
        if n in seen:   # cumulative average of the batch means and unbiased batch variances
            mean = torch.stack([x.mean((0, 2, 3)) for x in seen[n]]).mean(0)
            var = torch.stack([x.var((0, 2, 3)) for x in seen[n]]).mean(0)
            torch.testing.assert_close(m.running_mean, mean, rtol=1e-4, atol=1e-5, msg=n)
            torch.testing.assert_close(m.running_var, var, rtol=1e-4, atol=1e-5, msg=n)
        else:           # the shadow norms of the other expansion rates keep theirs
            assert torch.equal(m.running_mean, before[n][0]), n
            assert torch.equal(m.running_var, before[n][1]), n


def test_search_hook_recalibrates_the_decoded_path_on_the_same_training_images_every_epoch():
    from mmengine.dataset import pseudo_collate
    from mmengine.logging import MMLogger
    from mmpretrain.structures import DataSample
    model = build_search()
    model.backbone.thresholds_selecting(ARCHS[2])
    gen = torch.Generator().manual_seed(1)
    images = [dict(inputs=torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8, generator=gen),
                   data_samples=DataSample().set_gt_label(i % 10)) for i in range(20)]
    loader = torch.utils.data.DataLoader(images, batch_size=4, collate_fn=pseudo_collate)
    runner = SimpleNamespace(model=model, train_dataloader=loader,
                             logger=MMLogger.get_instance('test_single_path_recal'))
    hook = SinglePathSearchHook(recal_batches=3)
    indices = hook.recal_indices(runner)
    assert [len(b) for b in indices] == [4, 4, 4] and len({i for b in indices for i in b}) == 12
    assert hook.recal_indices(runner) == indices
    reference = copy.deepcopy(model)
    reference.recalibrate_bn(reference.data_preprocessor(pseudo_collate([images[i] for i in b]),
                                                         False)['inputs'] for b in indices)
    trained = copy.deepcopy(model)
    hook.recalibrate(runner)
    changed = False
    for (name, ours), theirs, old in zip(model.named_buffers(), reference.buffers(),
                                         trained.buffers()):
        assert torch.equal(ours, theirs), name
        changed |= not torch.equal(ours, old)
    assert changed
    untouched = copy.deepcopy(trained)
    SinglePathSearchHook(recal_batches=0).recalibrate(SimpleNamespace(model=trained))
    for ours, old in zip(trained.buffers(), untouched.buffers()):
        assert torch.equal(ours, old)
    with pytest.raises(ValueError, match='recal_batches'):
        SinglePathSearchHook(recal_batches=-1)


# -- the cost term ------------------------------------------------------------------------------
def test_budget_cost_term_penalises_only_above_the_target():
    model = build_search(cost=dict(mode='budget', weight=2.0, target=8.0))
    assert float(model.cost_loss(torch.tensor(7.5))) == 0.0
    torch.testing.assert_close(model.cost_loss(torch.tensor(9.0)),
                               2.0 * torch.log(torch.tensor(9.0 / 8.0)))
    log_model = build_search(cost=dict(mode='log', weight=0.5))
    torch.testing.assert_close(log_model.cost_loss(torch.tensor(9.0)),
                               0.5 * torch.log(torch.tensor(9.0)))
    decoded = model.decoded()
    assert decoded['arch'] == ARCHS[1] and decoded['active'] == 114
    assert decoded['kernels'] == {3: 0, 5: 0, 7: 114}
    assert decoded['flops_error'] == pytest.approx((decoded['flops'] - 8.0) / 8.0)


def test_cost_term_waits_for_its_delay_in_the_runner_progress():
    model = build_search(cost=dict(mode='log', weight=1.0, delay_epochs=2)).train()
    hub = MessageHub.get_instance('test_single_path_delay')
    x, samples = torch.randn(4, 3, 32, 32), data_samples([1, 2, 3, 4])
    hub.update_info('epoch', 1)
    losses = model.loss(x, samples)
    assert losses['cost_on'] == 0 and losses['loss_cost'] == 0
    hub.update_info('epoch', 2)
    losses = model.loss(x, samples)
    assert losses['cost_on'] == 1
    torch.testing.assert_close(losses['loss_cost'], torch.log(losses['flops']))
    iter_model = build_search(cost=dict(mode='log', weight=1.0, delay_iters=10))
    hub.update_info('iter', 9)
    assert not iter_model.cost_on()
    hub.update_info('iter', 10)
    assert iter_model.cost_on()


def test_bad_cost_settings_are_refused_by_name():
    with pytest.raises(ValueError, match='needs cost.target'):
        build_search(cost=dict(mode='budget', weight=1.0))
    with pytest.raises(ValueError, match='below the smallest architecture'):
        build_search(cost=dict(mode='budget', weight=1.0, target=1.0))
    with pytest.raises(ValueError, match='cost.mode'):
        build_search(cost=dict(mode='squared'))
    with pytest.raises(ValueError, match='unknown keys'):
        build_search(cost=dict(lam=1.0))
    with pytest.raises(ValueError, match='not both'):
        build_search(cost=dict(delay_epochs=1, delay_iters=5))
    with pytest.raises(TypeError, match='SinglePathSupernet backbone'):
        SinglePathNAS(backbone=dict(type='mmsgnas.UnifiedSupernet', macro=DIGITS_MACRO),
                      input_size=32, head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
                                               in_channels=256,
                                               loss=dict(type='mmpretrain.CrossEntropyLoss')))


def write_latency_table(folder, network=None):
    """A latency table file of the digits space with made-up timings in ``folder``; returns
    (path, data)."""
    from test_latency_lut import synthetic_data
    from mmsgnas.cost.latency_lut import save_latency_table
    from mmsgnas.space import UnifiedSpace
    data = synthetic_data(UnifiedSpace(DIGITS_MACRO), network=network)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, 'lut.json')
    save_latency_table(data, path)
    return path, data


def test_latency_table_costs_the_thresholds_path_in_ms_with_gradients_to_the_thresholds(tmp_path):
    from test_latency_lut import parts_sum
    path, data = write_latency_table(tmp_path)
    probe = build_search(cost=dict(type='latency', table=path))
    table = probe.cost_table
    assert table.unit == 'ms'
    arch = Arch([[7, 5, 3, 3], [3, 3], [5, 5, 7, 7, 3, 3]] + [[3, 7, 5]] * 16)
    ms, flops = parts_sum(data, arch), probe.space.cost_table(32, 10).arch_cost(arch)
    target = 0.5 * (table.min_cost() + ms)   # below the path's cost: the penalty is active
    model = build_search(cost=dict(type='latency', table=path, mode='budget', weight=1.0,
                                   target=target))
    model.backbone.thresholds_selecting(arch)
    decoded = model.decoded()
    assert decoded['arch'] == model.space.canonical(arch) and decoded['unit'] == 'ms'
    assert decoded['cost'] == pytest.approx(ms, rel=1e-12)     # the parts model, written out
    assert decoded['flops'] == pytest.approx(flops, rel=1e-12)  # MFLOPs reported beside it
    assert decoded['cost_error'] == pytest.approx((ms - target) / target, rel=1e-12)
    assert decoded['flops_error'] is None
    losses = model.train().loss(torch.randn(2, 3, 32, 32), data_samples([0, 1]))
    assert float(losses['latency']) == pytest.approx(ms, rel=1e-5)   # soft cost of the one-hot path
    assert float(losses['flops']) == pytest.approx(flops, rel=1e-5)
    assert float(losses['latency_error']) == pytest.approx((ms - target) / target, rel=1e-4)
    torch.testing.assert_close(losses['loss_cost'], torch.log(losses['latency'] / target))
    model.zero_grad()
    losses['loss_cost'].backward()
    grads = [p.grad for p in model.backbone.threshold_parameters()]
    assert all(g is not None for g in grads) and any(float(g.abs().sum()) > 0 for g in grads)
    settings = model.search_settings()
    assert settings['type'] == 'latency' and settings['unit'] == 'ms'
    assert settings['measured']['fingerprint'] == data['fingerprint']


def test_latency_cost_settings_are_checked(tmp_path):
    path, _ = write_latency_table(tmp_path)
    with pytest.raises(ValueError, match='without cost.type'):
        build_search(cost=dict(table=path))
    with pytest.raises(ValueError, match='needs table=PATH'):
        build_search(cost=dict(type='latency'))
    with pytest.raises(ValueError, match=r'below the smallest architecture .* ms'):
        build_search(cost=dict(type='latency', table=path, mode='budget', weight=1.0,
                               target=1.0))
    other_path, _ = write_latency_table(tmp_path / 'other',
                                        network=dict(se=True, act_cfg=dict(type='HSwish')))
    with pytest.raises(ValueError, match='another network'):   # measured for SE + h-swish
        build_search(cost=dict(type='latency', table=other_path, network=dict(se=False)))
    assert build_search(cost=dict(type='latency', table=other_path)).cost_table.unit == 'ms'


def test_latency_config_names_the_generators_table_and_targets_ms(tmp_path):
    from mmsgnas.cost.switch import latency_target_of
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/latency/single_path_latency_digits.py'))
    generator = Config.fromfile(os.path.join(ROOT, 'configs/latency/generator_latency_digits.py'))
    assert cfg.model.cost.table == generator.model.cost.table   # one measurement serves both
    target, wanted = latency_target_of(cfg), latency_target_of(generator)
    assert target['space'].settings() == wanted['space'].settings()
    assert {k: target[k] for k in ('input_size', 'num_classes', 'network', 'table')} == \
        {k: wanted[k] for k in ('input_size', 'num_classes', 'network', 'table')}
    path, _ = write_latency_table(tmp_path, network=dict(se=True, act_cfg=dict(type='HSwish')))
    cfg.model.cost.table = path
    with DefaultScope.overwrite_default_scope('mmsgnas'):
        model = MODELS.build(cfg.model)
    assert model.cost_name == 'latency' and model.target == 50.0
    assert model.cost_cfg['mode'] == 'budget' and model.cost_cfg['delay_epochs'] == 10


# -- configs ------------------------------------------------------------------------------------
def test_configs_build_and_imagenet_has_the_papers_search_settings():
    for path in (DIGITS_CONFIG, IN1K_CONFIG):
        cfg = Config.fromfile(path)
        assert 'custom_imports' not in cfg   # the package registers its modules itself
        with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
            model = MODELS.build(cfg.model)
        assert isinstance(model, SinglePathNAS) and isinstance(model.backbone, SinglePathSupernet)
        assert cfg.model.head.loss.label_smooth_val == 0.1
        assert 'threshold' in cfg.optim_wrapper.paramwise_cfg.custom_keys
        assert [h.type for h in cfg.custom_hooks][0] == 'mmsgnas.SinglePathSearchHook'
    cfg = Config.fromfile(IN1K_CONFIG)
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.alpha, optimizer.momentum,
            optimizer.weight_decay) == ('RMSprop', 0.064, 0.9, 0.9, 1e-5)
    assert cfg.train_cfg.max_epochs == 8 and cfg.train_dataloader.batch_size * 8 == 1024
    assert cfg.model.cost == dict(mode='log', weight=20.0, target=None, delay_iters=6255)
    assert cfg.model.backbone.norm == 'l2'


# -- through tools/train.py ---------------------------------------------------------------------
def run(args, cwd):
    result = subprocess.run([sys.executable] + args, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


@pytest.mark.slow
def test_search_trains_through_tools_train_resumes_and_writes_its_architecture(tmp_path):
    run([os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'), '--out', 'data/digits'],
        tmp_path)
    work = tmp_path / 'work'
    common = [os.path.join(ROOT, 'tools/train.py'), DIGITS_CONFIG, '--work-dir', str(work),
              '--cfg-options', 'model.cost.delay_epochs=1', 'model.cost.target=7.5',
              'default_hooks.checkpoint.interval=1', 'train_cfg.val_interval=1',
              'param_scheduler.0.T_max=3', 'param_scheduler.0.end=3']
    log = run(common + ['train_cfg.max_epochs=2'], tmp_path)
    assert 'single-path decisions after epoch 2' in log and 'cost term on' in log
    assert 'BN statistics of the decoded path re-estimated on 4 batches of 64' in log
    first, meta = load_subnet(work / 'single_path_subnet.yaml')
    assert meta['source'] == 'single-path-nas' and meta['epochs'] == 2
    assert meta['target'] == 7.5 and meta['search_seconds'] > 0

    log = run(common + ['train_cfg.max_epochs=3', '--resume'], tmp_path)
    assert 'resumed epoch: 2' in log
    arch, resumed = load_subnet(work / 'single_path_subnet.yaml')
    assert resumed['epochs'] == 3 and resumed['search_seconds'] > meta['search_seconds']
    history = json.loads((work / 'single_path_decisions.json').read_text())
    assert [h['epoch'] for h in history] == [1, 2, 3]
    assert [h['cost_on'] for h in history] == [False, True, True]
    model = build_search(cost=dict(mode='budget', weight=1.0, target=7.5))
    assert resumed['flops'] == pytest.approx(model.cost_table.arch_cost(arch), abs=1e-5)
    assert history[-1]['arch'] == model.space.to_text(arch)
    assert resumed['flops_error'] == pytest.approx((resumed['flops'] - 7.5) / 7.5, abs=1e-5)


def test_fashion_mnist_search_costs_architectures_as_its_judge_the_fmnist_supernet_does():
    """The Fashion-MNIST search is judged by the Fashion-MNIST supernet: same macro, same input
    size, so a decoded architecture costs the same MFLOPs in both (the comparison's budget)."""
    def built(name):
        cfg = Config.fromfile(os.path.join(ROOT, name))
        with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
            return cfg, MODELS.build(cfg.model)
    search_cfg, search = built('configs/single_path/single_path_fmnist.py')
    _, judge = built('configs/fmnist/supernet_fmnist.py')
    assert search.input_size == 28 and search_cfg.model.cost.target == 7.0
    assert search_cfg.train_dataloader.dataset.type == 'mmsgnas.FashionMNISTSplit'
    judge_table = judge.space.cost_table(28, 10)
    rng = random.Random(0)
    for _ in range(20):
        arch = search.space.sample(rng)
        assert search.cost_table.arch_cost(arch) == pytest.approx(
            judge_table.arch_cost(judge.space.canonical(arch)), abs=1e-9)
    # the space's range at 28x28, as the supernet config's header gives it
    smallest, largest = Arch([[3, 3]] * 19), Arch([[7] * 6] * 19)
    assert round(search.cost_table.arch_cost(smallest), 1) == 3.0
    assert round(search.cost_table.arch_cost(largest), 1) == 12.4
