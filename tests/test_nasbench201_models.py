"""NAS-Bench-201 networks: FLOPs table against mmengine's counter, parameters against the
benchmark, the stand-alone backbone's arguments, and the supernet's discrete and soft paths."""
import random

import pytest
import torch
from mmengine.registry import MODELS, DefaultScope

from mmsgnas.cost.counter import count_conv_linear_mflops
from mmsgnas.models.builder import count_params, linear_param_table
from mmsgnas.models.backbones.nasbench201_net import NasBench201Net
from mmsgnas.models.backbones.nasbench201_supernet import (NasBench201Supernet,
                                                           standalone_state_from_supernet)
from mmsgnas.models.ops.nasbench201_ops import ReLUConvBN
from mmsgnas.space.base import ArchError
from mmsgnas.space.nasbench201 import OPS, Cell, NasBench201Space
from mmsgnas.space.subnet_file import save_subnet

BEST = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'
ALL_3X3 = ('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|'
           '+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|')
ALL_NONE = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'

# (official index, architecture string, params_M) as recorded in
# shared/benchmarks/nas_bench_201_v1_1_cifar10.csv (NAS-Bench-201 v1_1, CIFAR-10, C=16, N=5)
BENCHMARK_PARAMS = [
    (6111, BEST, 1.073466),
    (1462, ALL_3X3, 1.531546),
    (1651, ALL_NONE, 0.073306),
    (4317, '|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|'
           '+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|', 0.241306),
    (0, '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|'
        '+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|', 0.129306),
    (100, '|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|'
          '+|nor_conv_3x3~0|avg_pool_3x3~1|skip_connect~2|', 0.802426),
    (5000, '|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|'
           '+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|', 0.830426),
    (12345, '|skip_connect~0|+|avg_pool_3x3~0|none~1|'
            '+|nor_conv_1x1~0|skip_connect~1|avg_pool_3x3~2|', 0.101306),
]


def build(cfg: dict) -> torch.nn.Module:
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(cfg)


def classifier(space: NasBench201Space, arch, num_classes: int = 10) -> torch.nn.Module:
    return build(space.classifier_cfg(arch, num_classes))


def supernet_classifier(space: NasBench201Space, num_classes: int = 10) -> torch.nn.Module:
    return build(dict(type='mmsgnas.SupernetClassifier', backbone=space.supernet_backbone_cfg(),
                      neck=dict(type='mmpretrain.GlobalAveragePooling'),
                      head=dict(type='mmpretrain.LinearClsHead', num_classes=num_classes,
                                in_channels=space.feature_channels)))


def randomise(module: torch.nn.Module, seed: int = 0) -> None:
    """Random weights and BN statistics, so equalities are not trivially true."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            elif isinstance(m, torch.nn.Conv2d):
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * 0.2)


def some_cells(space: NasBench201Space, count: int, seed: int):
    rng = random.Random(seed)
    return [space.canonical(BEST), space.canonical(ALL_3X3), space.canonical(ALL_NONE)] + \
        [space.sample(rng) for _ in range(count)]


# -- costs and parameters ----------------------------------------------------------------------

# convs into node 2 (and so node 1's) are dead: 3<-2 and 3<-1 are none
DEAD = '|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|'


def eager_macs(model: torch.nn.Module, size: int) -> int:
    """Conv and linear MACs of every layer the forward runs, counted by forward hooks."""
    total = [0]

    def conv_hook(module, inputs, output):
        kernel = module.weight.shape[1] * module.weight.shape[2] * module.weight.shape[3]
        total[0] += output[0].numel() * kernel

    def linear_hook(module, inputs, output):
        total[0] += module.in_features * module.out_features

    handles = [m.register_forward_hook(conv_hook if isinstance(m, torch.nn.Conv2d) else
                                       linear_hook)
               for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    try:
        with torch.no_grad():
            model.eval().extract_feat(torch.zeros(1, 3, size, size))
            model.head.fc(torch.zeros(1, model.head.fc.in_features))
    finally:
        for handle in handles:
            handle.remove()
    return total[0]


@pytest.mark.parametrize('C, N, size, classes', [(16, 5, 32, 10), (8, 1, 16, 100)])
def test_flops_table_equals_mmengine_count(C, N, size, classes):
    """Exact on every cell without dead convs; on the others mmengine's traced graph lacks exactly
    the dead edges' MACs (see mmsgnas.cost.nasbench201_flops)."""
    space = NasBench201Space(C=C, N=N)
    table = space.cost_table(size, classes)
    cells = some_cells(space, 5, seed=C) + [space.canonical(DEAD)]
    kinds = set()
    for cell in cells:
        counted = count_conv_linear_mflops(classifier(space, cell, classes), size)
        choices = space.choices(cell)
        live = space.live_edges(cell)
        dead_macs = sum(table.table[d][c] for d, c in enumerate(choices) if not live[d])
        assert counted == pytest.approx(table.arch_mflops(cell) - dead_macs / 1e6, rel=1e-12), \
            space.to_text(cell)
        kinds.add(dead_macs > 0)
        if dead_macs == 0:
            assert table.arch_mflops(cell) == pytest.approx(counted, rel=1e-12)
    assert kinds == {True, False}


@pytest.mark.parametrize('C, N, size, classes', [(16, 5, 32, 10), (8, 1, 16, 100)])
def test_flops_table_equals_what_the_network_executes(C, N, size, classes):
    space = NasBench201Space(C=C, N=N)
    table = space.cost_table(size, classes)
    for cell in some_cells(space, 5, seed=C + 1) + [space.canonical(DEAD)]:
        assert eager_macs(classifier(space, cell, classes), size) == table.arch_macs(cell)


def test_flops_of_the_reported_cells():
    table = NasBench201Space().cost_table(32, 10)
    assert table.arch_mflops(ALL_3X3) == pytest.approx(220.11968, abs=1e-9)
    assert table.arch_mflops(BEST) == pytest.approx(153.27296, abs=1e-9)
    assert table.arch_mflops(ALL_NONE) == pytest.approx(7.78304, abs=1e-9)


@pytest.mark.parametrize('index, arch, params_m', BENCHMARK_PARAMS)
def test_parameters_equal_the_benchmark(index, arch, params_m):
    model = classifier(NasBench201Space(), arch, 10)
    assert sum(p.numel() for p in model.parameters()) == round(params_m * 1e6), index


@pytest.mark.parametrize('index, arch, params_m', BENCHMARK_PARAMS)
def test_parameter_table_equals_the_benchmark(index, arch, params_m):
    assert count_params(NasBench201Space(), arch, 10) * 1e6 == pytest.approx(
        round(params_m * 1e6), abs=1e-3), index


@pytest.mark.parametrize('C, N, num_classes', [(16, 5, 10), (8, 1, 100), (4, 2, 120)])
def test_parameter_table_equals_the_built_model(C, N, num_classes):
    space = NasBench201Space(C=C, N=N)
    rng = random.Random(C * 100 + N)
    for arch in [Cell(['nor_conv_3x3'] * 6)] + [space.sample(rng) for _ in range(12)]:
        built = sum(p.numel() for p in classifier(space, arch, num_classes).parameters())
        assert count_params(space, arch, num_classes) * 1e6 == pytest.approx(built, abs=1e-3), \
            space.to_text(arch)
    base, rows = linear_param_table(space, num_classes)
    assert all(row == rows[0] for row in rows)      # every edge holds the same operations
    none, skip, pool = OPS.index('none'), OPS.index('skip_connect'), OPS.index('avg_pool_3x3')
    assert rows[0][none] == rows[0][skip] == rows[0][pool] == 0


def test_parameter_table_refuses_a_nonlinear_space():
    from mmsgnas.space import UnifiedSpace
    with pytest.raises(ValueError, match='linear_params'):
        linear_param_table(UnifiedSpace(), 10)


# -- the stand-alone backbone --------------------------------------------------------------------

def test_standalone_outputs_and_arch_forms(tmp_path):
    space = NasBench201Space(C=8, N=1)
    net = NasBench201Net(BEST, C=8, N=1, out_indices=(0, 1, 2, -1)).eval()
    assert net.out_indices == (0, 1, 2, 3) and net.out_channels == (8, 16, 32, 32)
    outs = net(torch.randn(2, 3, 16, 16))
    assert [tuple(o.shape) for o in outs] == [(2, 8, 16, 16), (2, 16, 8, 8), (2, 32, 4, 4),
                                             (2, 32, 4, 4)]
    assert (outs[3] >= 0).all() and not torch.equal(outs[2], outs[3])
    path = tmp_path / 'cell.yaml'
    save_subnet(path, BEST, None, space)
    for form in (space.canonical(BEST), list(space.canonical(BEST)), str(path), path):
        assert NasBench201Net(form, C=8, N=1).arch == space.canonical(BEST)
    with pytest.raises(ArchError, match=r"arch: 'nope.yaml' is neither an architecture string"):
        NasBench201Net('nope.yaml', C=8, N=1)
    with pytest.raises(ArchError, match=r"arch: edge 0 \(1<-0\): unknown operation 'conv'"):
        NasBench201Net(['conv'] + ['none'] * 5, C=8, N=1)
    with pytest.raises(ValueError, match='outside 0..3'):
        NasBench201Net(BEST, C=8, N=1, out_indices=(4,))
    with pytest.raises(ValueError, match='multiple of 4'):
        net(torch.randn(1, 3, 18, 18))


def test_none_edges_build_nothing_and_dead_convs_are_built():
    net = NasBench201Net(ALL_NONE, C=8, N=1)
    assert not any(n.startswith('stages.0.cells') for n, _ in net.named_parameters())
    # node 2 is always zero, yet the 3<-2 conv runs (the benchmark builds and counts it)
    dead = '|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|'
    net = NasBench201Net(dead, C=8, N=1)
    assert isinstance(net.stages[0].cells[0].edges[5], ReLUConvBN)


def test_frozen_stages_and_norm_eval():
    net = NasBench201Net(BEST, C=8, N=1, frozen_stages=2, norm_eval=True)
    net.train()
    frozen = [n for n, p in net.named_parameters() if not p.requires_grad]
    assert frozen and all(n.startswith(('stem.', 'stages.0.', 'stages.1.')) for n in frozen)
    assert all(p.requires_grad for n, p in net.named_parameters() if n.startswith('stages.2.'))
    assert all(not m.training for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert net.stages[2].training
    whole = NasBench201Net(BEST, C=8, N=1, frozen_stages=3)
    assert not any(p.requires_grad for p in whole.parameters())
    with pytest.raises(ValueError, match='frozen_stages=4'):
        NasBench201Net(BEST, C=8, N=1, frozen_stages=4)


def test_init_weights_runs_the_default_init():
    net = NasBench201Net(BEST, C=8, N=1)
    net.init_weights()
    assert torch.equal(net.lastact.bn.weight, torch.ones(32))
    std = net.stem.conv.weight.std().item()
    assert 0.5 * (2 / (8 * 9)) ** 0.5 < std < 1.5 * (2 / (8 * 9)) ** 0.5   # Kaiming fan_out


# -- the supernet -----------------------------------------------------------------------------

def test_soft_forward_at_one_hot_equals_the_discrete_forward():
    torch.manual_seed(0)
    supernet = NasBench201Supernet(C=8, N=2)
    randomise(supernet)
    space = supernet.space
    x = torch.randn(2, 3, 16, 16)
    cells = some_cells(space, 4, seed=1)
    supernet.eval()
    for first, second in zip(cells, cells[1:] + cells[:1]):
        weights = torch.stack([space.encode(first), space.encode(second)])
        with torch.no_grad(), supernet.using(weights):
            soft = supernet(x)[0]
        with torch.no_grad(), supernet.using(first):
            hard_first = supernet(x[:1])[0]
        with torch.no_grad(), supernet.using(second):
            hard_second = supernet(x[1:])[0]
        hard = torch.cat([hard_first, hard_second])
        # the random weights grow activations to ~1e4: float32 summation order alone moves them
        # by ~1e-4 relative, a wrong operation by O(1)
        torch.testing.assert_close(soft, hard, rtol=1e-3, atol=1e-5 * hard.abs().max().item())
    supernet.train()       # batch statistics: one cell for the whole batch
    for cell in cells:
        with torch.no_grad(), supernet.using(space.encode(cell).expand(2, 6, 5)):
            soft = supernet(x)[0]
        with torch.no_grad(), supernet.using(cell):
            hard = supernet(x)[0]
        torch.testing.assert_close(soft, hard, rtol=1e-3, atol=1e-5 * hard.abs().max().item())


@pytest.mark.parametrize('mode', ['eval', 'train'])
def test_discrete_forward_equals_the_standalone_network(mode):
    torch.manual_seed(0)
    supernet = NasBench201Supernet(C=8, N=2)
    randomise(supernet, seed=1)
    x = torch.randn(3, 3, 16, 16)
    for cell in some_cells(supernet.space, 4, seed=2):
        net = NasBench201Net(cell, C=8, N=2)
        net.load_state_dict(supernet.standalone_state_dict(cell), strict=True)
        supernet.train(mode == 'train')
        net.train(mode == 'train')
        with torch.no_grad(), supernet.using(cell):
            expected = supernet(x)[0]
        with torch.no_grad():
            got = net(x)[0]
        torch.testing.assert_close(got, expected, rtol=0, atol=0)


def test_supernet_classifier_weights_make_the_standalone_classifier():
    torch.manual_seed(0)
    space = NasBench201Space(C=8, N=1)
    supernet = supernet_classifier(space).eval()
    randomise(supernet, seed=2)
    x = torch.randn(2, 3, 16, 16)
    for cell in some_cells(space, 2, seed=3):
        standalone = classifier(space, cell).eval()
        standalone.load_state_dict(standalone_state_from_supernet(supernet.state_dict(), cell),
                                   strict=True)
        with torch.no_grad(), supernet.backbone.using(cell):
            expected = supernet.head(supernet.extract_feat(x))
        with torch.no_grad():
            got = standalone.head(standalone.extract_feat(x))
        torch.testing.assert_close(got, expected, rtol=0, atol=0)
    with pytest.raises(ValueError, match='no supernet edge weights'):
        standalone_state_from_supernet(standalone.state_dict(), cell)


def test_soft_gradient_reaches_every_op_with_a_non_zero_weight():
    torch.manual_seed(0)
    supernet = NasBench201Supernet(C=4, N=1).train()
    weights = torch.softmax(torch.randn(2, 6, 5), dim=-1)
    weights[:, 2, OPS.index('nor_conv_3x3')] = 0      # never computed
    weights[0, 4, OPS.index('nor_conv_1x1')] = 0      # used by the other sample
    weights.requires_grad_()
    with supernet.using(weights):
        supernet(torch.randn(2, 3, 8, 8))[0].pow(2).mean().backward()
    for stage in supernet.stages:
        for cell in stage.cells:
            for d, edge in enumerate(cell.edges):
                for k, name in enumerate(OPS):
                    if not isinstance(edge.ops[name], ReLUConvBN):
                        continue
                    grad = edge.ops[name].conv.weight.grad
                    if (weights[:, d, k] != 0).any():
                        assert grad is not None and grad.abs().sum() > 0, (d, name)
                    else:
                        assert grad is None, (d, name)
    grad = weights.grad
    assert grad is not None
    for d in range(6):
        for k, name in enumerate(OPS):
            if name != 'none' and (weights[:, d, k] != 0).any():
                assert grad[:, d, k].abs().sum() > 0, (d, name)
    assert grad[:, :, OPS.index('none')].abs().sum() == 0


def test_path_api_sampling_and_errors():
    supernet = NasBench201Supernet(C=4, N=1)
    space = supernet.space
    assert space == NasBench201Space(C=4, N=1)
    assert supernet.active is None
    cell = supernet.sample_arch(random.Random(0))
    assert isinstance(cell, Cell) and cell == space.sample(random.Random(0))
    x = torch.randn(2, 3, 8, 8)
    supernet.train()
    assert supernet(x)[0].shape == (2, 16, 2, 2) and supernet.active is None   # sampled a path
    with supernet.using(BEST):
        assert supernet.active == space.canonical(BEST)
        with supernet.using(space.encode(BEST)[None].expand(2, 6, 5)):
            assert isinstance(supernet.active, torch.Tensor)
        assert supernet.active == space.canonical(BEST)
    assert supernet.active is None
    supernet.eval()
    with pytest.raises(RuntimeError, match='no architecture set'):
        supernet(x)
    with pytest.raises(ValueError, match=r'soft weights must be \[B, 6, 5\]'):
        supernet.set_soft_weights(torch.zeros(2, 5, 6))
    with pytest.raises(ValueError, match=r'edge weights must be \[B=2, 5\]'), \
            supernet.using(torch.full((3, 6, 5), 0.2)):
        supernet(x)
    with pytest.raises(ArchError, match='unknown operation'):
        supernet.set_arch(['sep_conv_3x3'] * 6)


def test_supernet_classifier_trains_and_predicts():
    from mmpretrain.structures import DataSample
    torch.manual_seed(0)
    random.seed(0)
    model = supernet_classifier(NasBench201Space(C=4, N=1))
    assert model.space == NasBench201Space(C=4, N=1)
    assert model.eval_arch == model.space.sample(random.Random(0))
    samples = [DataSample().set_gt_label(i % 10) for i in range(4)]
    model.train()
    losses = model(torch.randn(4, 3, 16, 16), samples, mode='loss')
    losses['loss'].backward()
    assert torch.isfinite(losses['loss'])
    assert model.backbone.active is None
    model.eval()
    with torch.no_grad():
        preds = model(torch.randn(4, 3, 16, 16), samples, mode='predict')
    assert len(preds) == 4 and preds[0].pred_score.shape == (10,)
