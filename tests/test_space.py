"""The unified space: positional paths, forced sampling, structure, files."""
import itertools

import pytest
import torch

from mmsgnas.space import (Arch, ArchError, SPACE_NAME, SubnetFileError, UnifiedSpace, dump_subnet,
                           layer_choices, layer_paths, load_subnet, save_subnet)

DIGITS = dict(widen_factor=0.5, stem_stride=1, head_channels=256)


@pytest.fixture
def space():
    return UnifiedSpace(DIGITS)


def test_80_networks_and_1089_paths_per_layer(space):
    choices = layer_choices()
    assert len(choices) == 80 and len(set(choices)) == 80
    # counted independently: every assignment of {3,5,7,skip} to 6 sub-blocks with >= 2 active,
    # reduced to its kernel multiset
    multisets = {tuple(sorted(k for k in assign if k)) for assign in
                 itertools.product([3, 5, 7, 0], repeat=6) if sum(1 for k in assign if k) >= 2}
    assert multisets == set(choices)
    assert [sum(1 for c in choices if len(c) == e) for e in range(2, 7)] == [6, 10, 15, 21, 28]
    assert len(layer_paths()) == 9 + 27 + 81 + 243 + 729 == 1089
    assert space.size() == 1089 ** 19 and space.num_networks() == 80 ** 19
    assert UnifiedSpace(DIGITS, kernel_order='sorted').size() == 80 ** 19
    assert space.decision_shape == (114, 4) and space.map_shape == (19, 24)


def test_paths_keep_kernel_order_and_share_the_network_identity(space):
    a = Arch([[7, 3, 5]] + [[3, 3]] * 18)
    b = Arch([[5, 7, 3]] + [[3, 3]] * 18)
    assert a != b and a[0] == (7, 3, 5)
    assert space.identity(a) == space.identity(b) == ((3, 5, 7),) + ((3, 3),) * 18
    assert dump_subnet(a) != dump_subnet(b)
    assert space.choices(a)[:6] == [2, 0, 1, 3, 3, 3]
    sorted_space = UnifiedSpace(DIGITS, kernel_order='sorted')
    assert sorted_space.canonical(a) == sorted_space.canonical(b) == a.sorted()


@pytest.mark.parametrize('layer, message', [([3], 'expansion rate'), ([3] * 7, 'expansion rate'),
                                            ([3, 4], 'not in'), ('ab', 'kernel'),
                                            ([3.9, 5], 'must be integers'),
                                            ([3.0, 5], 'must be integers'),
                                            ([True, 5], 'must be integers')])
def test_invalid_layers_are_refused_naming_the_layer(layer, message):
    with pytest.raises(ArchError, match=f'layer 1: .*{message}'):
        Arch([[3, 3], layer] + [[3, 3]] * 17)


def test_sampling_is_positional_uniform_and_covers_the_expansion_rates(space, rng):
    archs = [space.sample(rng) for _ in range(400)]
    assert all(space.canonical(a) == a for a in archs)
    total = 400 * 19
    counts = [sum(arch.expansions.count(e) for arch in archs) for e in range(2, 7)]
    for count in counts:  # e uniform over 5 values: 1520 expected each, std ~35
        assert abs(count - total / 5) < 200
    # each active sub-block's kernel uniform and independent: unsorted layers are common
    unsorted = sum(list(layer) != sorted(layer) for arch in archs for layer in arch)
    assert unsorted > 0.6 * total
    # sub-block 5 gets its 3x3 in about 1/5 * 1/3 of the layers (the sorted scheme: 1/5 * 1/729)
    k3_last = sum(len(layer) == 6 and layer[5] == 3 for arch in archs for layer in arch)
    assert abs(k3_last - total / 15) < 4 * (total / 15) ** 0.5
    assert len(set(archs)) == 400


def test_sorted_order_reproduces_the_earlier_scheme_and_its_flaw(rng):
    space = UnifiedSpace(DIGITS, kernel_order='sorted')
    for _ in range(50):
        arch = space.sample(rng)
        assert all(list(layer) == sorted(layer) for layer in arch)
    # the flaw that made positional paths the default: a one-hot generator output whose kernels
    # are not ascending decodes to another path than the one its soft forward ran
    onehot = UnifiedSpace(DIGITS).encode(Arch([[7, 3]] * 19))
    assert space.decode(onehot) == Arch([[3, 7]] * 19)
    assert not torch.equal(space.structure(onehot), space.encode(space.decode(onehot)))


def test_decode_reads_up_to_the_first_skip(space):
    logits = torch.zeros(19, 6, 4)
    logits[:, :, 3] = 1.0           # skip everywhere...
    logits[:, 0, 2] = 5.0           # ...but k7 in sub-block 0
    logits[:, 1, 0] = 5.0           # and k3 in sub-block 1
    logits[:, 3, 1] = 5.0           # k5 after a skip: skipped too
    logits[:, :2, 3] = float('-inf')
    arch = space.decode(logits.reshape(114, 4))
    assert arch == Arch([[7, 3]] * 19)
    with pytest.raises(ArchError, match='expected a \\[114, 4\\] tensor'):
        space.decode(logits)


def test_structure_makes_every_one_hot_weight_equal_its_decoded_path(space, rng):
    torch.manual_seed(0)
    allowed = space.allowed()
    for _ in range(20):
        choices = torch.randint(0, 4, (114,))
        choices[~allowed[torch.arange(114), choices]] = 0    # only allowed choices
        onehot = torch.nn.functional.one_hot(choices, 4).double()
        assert torch.equal(space.structure(onehot), space.encode(space.decode(onehot)).double())
    probs = torch.softmax(torch.randn(5, 114, 4, dtype=torch.float64), -1)
    structured = space.structure(probs)
    assert torch.allclose(structured.sum(-1), torch.ones(5, 114, dtype=torch.float64))
    layered = structured.reshape(5, 19, 6, 4)
    assert torch.all(layered[..., 1:, 3] >= layered[..., :-1, 3] - 1e-12)   # skip never undone


def test_valid_edits_are_exactly_the_single_changes_that_stay_in_the_space(space, rng):
    arch = space.sample(rng)
    choices = torch.tensor(space.choices(arch))
    edits = space.valid_edits(choices)
    for d, k in itertools.product(range(114), range(4)):
        if k == int(choices[d]):
            continue     # no change: never taken, whatever the mask says
        changed = choices.clone()
        changed[d] = k
        try:
            stays = space.choices(space.from_choices(changed.tolist())) == changed.tolist()
        except ArchError:
            stays = False
        assert bool(edits[d, k]) == stays, (d, k)


def test_mutation_and_crossover_stay_in_the_space(space, rng):
    a, b = space.sample(rng), space.sample(rng)
    assert space.mutate(a, 0.0, rng) == a
    mutated = space.mutate(a, 1.0, rng)
    assert isinstance(mutated, Arch) and mutated != a
    child = space.crossover(a, b, rng)
    assert all(layer in (x, y) for layer, x, y in zip(child, a, b))
    assert space.crossover(a, b, rng, prob_first=1.0) == a


def test_subnet_file_round_trip_keeps_the_kernel_order(tmp_path, space, rng):
    arch = space.sample(rng)
    path = tmp_path / 'net.yaml'
    save_subnet(path, arch, {'flops': 12.5, 'source': 'test'}, space)
    loaded, meta = load_subnet(path, space)
    assert loaded == arch and meta == {'space': SPACE_NAME, 'flops': 12.5, 'source': 'test'}
    text = path.read_text()
    assert text.endswith(''.join(f'- [{", ".join(map(str, layer))}]\n' for layer in arch))
    assert not list(tmp_path.glob('.net.yaml.*'))


def test_files_written_before_positional_paths_load_as_the_path_they_were_scored_on(tmp_path):
    # files of the sorted scheme have no space key and ascending kernels: the same path
    old = tmp_path / 'old.yaml'
    old.write_text('constraint: 8.5\nlayers:\n' + '- [3, 5, 7]\n' * 19)
    arch, meta = load_subnet(old)
    assert arch == Arch([[3, 5, 7]] * 19) and meta['constraint'] == 8.5
    assert meta['space'] == SPACE_NAME


@pytest.mark.parametrize('body, message', [
    ('layers:\n' + '- [3, 3]\n' * 18, '18 layers listed, the space has 19'),
    ('layers:\n' + '- [3, 3]\n' * 7 + '- [3, 9]\n' + '- [3, 3]\n' * 11, r'layer 7: kernel size\(s\) \[9\]'),
    ('layers:\n' + '- [3, 3]\n' * 3 + '- [5]\n' + '- [3, 3]\n' * 15, 'layer 3: 1 active sub-blocks'),
    ('layers:\n' + '- [3, 3, 3, 3, 3, 3, 3]\n' + '- [3, 3]\n' * 18, 'layer 0: 7 active'),
    ('layers:\n' + '- 3\n' + '- [3, 3]\n' * 18, 'layer 0: expected a list'),
    ('layers:\n' + '- [3.9, 5]\n' + '- [3, 3]\n' * 18, 'layer 0: kernel sizes must be integers'),
    ('space: nas-bench-201\nlayers:\n' + '- [3, 3]\n' * 19, 'space "nas-bench-201", not'),
    ('space: other-space\nlayers:\n' + '- [3, 3]\n' * 19, 'unknown search space "other-space"'),
    ('flops: 3\n', 'top-level "layers:"'),
    ('layers: [3, 3\n', 'not valid YAML'),
    ('- [3, 3]\n', 'expected a YAML mapping'),
])
def test_malformed_subnet_files_are_refused_naming_file_and_layer(tmp_path, body, message):
    path = tmp_path / 'bad.yaml'
    path.write_text(body)
    with pytest.raises(SubnetFileError, match=message) as info:
        load_subnet(path, UnifiedSpace() if 'nas-bench' in body else None)
    assert str(path) in str(info.value)


def test_missing_subnet_file(tmp_path):
    with pytest.raises(SubnetFileError, match='not found'):
        load_subnet(tmp_path / 'nope.yaml')
