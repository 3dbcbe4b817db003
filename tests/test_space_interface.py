"""One suite every search space passes: canonical sampling, encodings, files, variation operators,
structure, exact and differentiable costs (against mmengine's counter) and the projection."""
import random

import pytest
import torch

from mmsgnas.cost import count_conv_linear_mflops, project_to_budget
from mmsgnas.models import build_standalone_classifier
from mmsgnas.space import ArchError, NasBench201Space, UnifiedSpace, load_subnet, save_subnet

# (space factory, input size, classes) for each space of the interface
SPACES = {
    'unified-digits': (lambda: UnifiedSpace(dict(widen_factor=0.5, stem_stride=1,
                                                 head_channels=256)), 32, 10),
    'unified-imagenet': (lambda: UnifiedSpace(), 224, 1000),
    'nas-bench-201': (lambda: NasBench201Space(), 32, 10),
}


@pytest.fixture(params=sorted(SPACES))
def case(request):
    make, input_size, classes = SPACES[request.param]
    return make(), input_size, classes


def test_sampling_is_canonical_and_round_trips_every_encoding(case, tmp_path):
    space, _, _ = case
    rng = random.Random(0)
    for index in range(30):
        arch = space.sample(rng)
        assert space.canonical(arch) == arch
        onehot = space.encode(arch)
        assert onehot.shape == space.decision_shape
        assert torch.equal(onehot.sum(-1), torch.ones(space.decision_shape[0]))
        assert not onehot[~space.allowed()].any()
        assert space.decode(onehot) == arch
        assert space.from_choices(space.choices(arch)) == arch
        assert space.from_text(space.to_text(arch)) == arch
        path = tmp_path / f'{index}.yaml'
        save_subnet(path, arch, dict(note='x'), space)
        assert load_subnet(path, space)[0] == arch


def test_decoding_any_weights_gives_a_canonical_architecture(case):
    space, _, _ = case
    torch.manual_seed(0)
    for _ in range(30):
        arch = space.decode(10 * torch.randn(space.decision_shape))
        assert space.canonical(arch) == arch


def test_structure_of_one_hot_weights_is_the_decoded_encoding(case):
    space, _, _ = case
    torch.manual_seed(1)
    for _ in range(20):
        logits = torch.randn(space.decision_shape).masked_fill(~space.allowed(), float('-inf'))
        onehot = torch.nn.functional.one_hot(logits.argmax(-1), space.decision_shape[1]).double()
        assert torch.equal(space.structure(onehot), space.encode(space.decode(onehot)).double())


def test_mutation_and_crossover_stay_in_the_space(case):
    space, _, _ = case
    rng = random.Random(2)
    for _ in range(20):
        a, b = space.sample(rng), space.sample(rng)
        for child in (space.mutate(a, 0.5, rng), space.crossover(a, b, rng)):
            assert space.canonical(child) == child
        assert space.mutate(a, 0.0, rng) == a


def test_exact_cost_equals_mmengine_count_on_built_networks(case):
    space, input_size, classes = case
    table = space.cost_table(input_size, classes)
    rng = random.Random(3)
    count = 3 if input_size > 100 else 8
    for _ in range(count):
        arch = space.sample(rng)
        model = build_standalone_classifier(space, arch, classes)
        expected = table.arch_mflops(arch)
        if hasattr(space, 'live_edges'):
            # NAS-Bench-201 runs convs whose output never reaches the cell output; mmengine's
            # traced count drops them (mmsgnas.cost.nasbench201_flops)
            live = space.live_edges(arch)
            expected -= sum(table.table[d][c] for d, c in enumerate(space.choices(arch))
                            if not live[d]) / 1e6
        assert expected == pytest.approx(count_conv_linear_mflops(model, input_size), rel=1e-9)


def test_soft_cost_is_exact_on_one_hot_and_differentiable(case):
    space, input_size, classes = case
    table = space.cost_table(input_size, classes)
    rng = random.Random(4)
    archs = [space.sample(rng) for _ in range(6)]
    onehot = torch.stack([space.encode(a) for a in archs]).double().requires_grad_()
    soft = table.soft_cost(onehot)
    assert soft.shape == (6,)
    for value, arch in zip(soft.tolist(), archs):
        assert value == pytest.approx(table.arch_cost(arch), rel=1e-12)
    soft.sum().backward()
    assert onehot.grad.abs().sum() > 0
    assert table.min_cost() < min(soft.tolist()) and max(soft.tolist()) < table.max_cost()


def closer_single_edits(space, table, arch, target):
    """The valid single-decision changes of ``arch`` whose cost is closer to ``target``."""
    choices = torch.tensor(space.choices(arch))
    edits = space.allowed() & space.valid_edits(choices)
    error = abs(table.arch_cost(arch) - target)
    closer = []
    for d, k in edits.nonzero().tolist():
        if k != choices[d]:
            changed = choices.clone()
            changed[d] = k
            other = space.from_choices(changed.tolist())
            if abs(table.arch_cost(other) - target) < error:
                closer.append((d, k))
    return closer


def test_projection_meets_budgets_and_keeps_the_argmax_when_it_already_fits(case):
    space, input_size, classes = case
    table = space.cost_table(input_size, classes)
    rng = random.Random(5)
    torch.manual_seed(5)
    low, high = table.min_cost(), table.max_cost()
    for _ in range(8):
        arch = space.sample(rng)
        logits = 3 * space.encode(arch) + 0.1 * torch.randn(space.decision_shape)
        raw = space.decode(logits)
        same = project_to_budget(logits, table, table.arch_cost(raw) * 1.004)
        assert same.steps == 0 and same.arch == raw == same.raw_arch
        for fraction in (0.3, 0.5, 0.7):
            target = low + fraction * (high - low)
            projection = project_to_budget(logits, table, target)
            error = abs(projection.cost - target)
            if space.name == 'nas-bench-201':
                # coarse costs (an edge adds 0, p or 9p): the projection stops within the
                # tolerance or where no single valid edit comes closer
                assert error <= 0.01 * target or not closer_single_edits(space, table,
                                                                         projection.arch, target)
                assert error <= abs(projection.raw_cost - target)
            else:
                assert error <= 0.01 * target
            assert space.canonical(projection.arch) == projection.arch
            assert projection.cost == pytest.approx(table.arch_cost(projection.arch))


def test_refusals_name_the_source(case):
    space, _, _ = case
    with pytest.raises(ArchError, match='my-source'):
        space.canonical(42, 'my-source')


def test_projection_never_cuts_a_nasbench201_cell_off_from_its_input():
    from mmsgnas.space import NasBench201Space
    space = NasBench201Space(C=8, N=1)
    table = space.cost_table(32, 10)
    # the generator's argmax of the main job's NAS-Bench-201 run at 3.826 MFLOPs: greedy edits to
    # the cheapest op ('none') reached the budget with a cell whose output is cut off (10.00 %)
    raw = space.canonical('|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_3x3~0|'
                          'nor_conv_1x1~1|nor_conv_1x1~2|')
    assert space.computes(raw)
    assert not space.computes('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|')
    rng = random.Random(0)
    for target in (2.5, 3.0, 3.826, 4.5):
        for _ in range(10):
            logits = 3 * space.encode(raw) + torch.randn(space.decision_shape,
                                                         generator=torch.Generator().manual_seed(
                                                             rng.randrange(1 << 30)))
            projection = project_to_budget(logits, table, target, tolerance=0.05)
            assert space.computes(projection.arch), (target, space.to_text(projection.arch))
    choices = torch.tensor(space.choices(raw))
    edits = space.valid_edits(choices)
    assert edits.sum() == 30 and edits.all()      # one edit cannot cut this cell off
    path = '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|'   # only 0 -> 1 -> 3
    edits = space.valid_edits(torch.tensor(space.choices(path)))
    assert not edits[0, 0] and not edits[4, 0]    # 'none' on either edge of the path cuts it
    assert edits.sum() == 28
    # an edge into a node nothing reaches does not make the cell compute
    assert not space.computes('|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|')
