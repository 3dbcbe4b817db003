import itertools
import random

import pytest
import torch

from mmsgnas.space import (Arch, ArchError, SPACE_NAME, SubnetFileError, crossover, decode,
                           dump_subnet, encode, layer_choices, load_subnet, mutate, sample_arch,
                           save_subnet, space_size)


def test_exactly_80_choices_per_layer_and_80_pow_19_architectures():
    choices = layer_choices()
    assert len(choices) == 80
    assert len(set(choices)) == 80
    # counted independently: every assignment of {3,5,7,skip} to 6 sub-blocks with >= 2 active,
    # reduced to its kernel multiset
    multisets = {tuple(sorted(k for k in assign if k)) for assign in
                 itertools.product([3, 5, 7, 0], repeat=6) if sum(1 for k in assign if k) >= 2}
    assert multisets == set(choices)
    assert [sum(1 for c in choices if len(c) == e) for e in range(2, 7)] == [6, 10, 15, 21, 28]
    assert space_size(19) == 80 ** 19


def test_canonical_form_makes_equal_multisets_equal():
    a = Arch([[7, 3, 5]] + [[3, 3]] * 18)
    b = Arch([[5, 7, 3]] + [[3, 3]] * 18)
    assert a == b and hash(a) == hash(b)
    assert a[0] == (3, 5, 7)
    assert dump_subnet(a) == dump_subnet(b)
    assert a.subblock_choices()[0] == [0, 1, 2, 3, 3, 3]
    assert a.expansions[:2] == (3, 2)


@pytest.mark.parametrize('layer, message', [([3], 'expansion rate'), ([3] * 7, 'expansion rate'),
                                            ([3, 4], 'not in'), ('ab', 'kernel')])
def test_invalid_layers_are_refused_naming_the_layer(layer, message):
    with pytest.raises(ArchError, match=f'layer 1: .*{message}'):
        Arch([[3, 3], layer] + [[3, 3]] * 17)


def test_uniform_sampling_is_canonical_and_covers_the_expansion_rates(rng):
    archs = [sample_arch(rng) for _ in range(400)]
    for arch in archs[:50]:
        assert all(list(layer) == sorted(layer) for layer in arch)
    counts = [sum(arch.expansions.count(e) for arch in archs) for e in range(2, 7)]
    total = 400 * 19
    for count in counts:  # e uniform over 5 values: 1520 expected each, std ~35
        assert abs(count - total / 5) < 200
    assert len(set(archs)) == 400


def test_same_seed_same_samples():
    assert sample_arch(random.Random(7)) == sample_arch(random.Random(7))


def test_encode_decode_round_trip(rng):
    for _ in range(20):
        arch = sample_arch(rng)
        onehot = encode(arch)
        assert onehot.shape == (19, 6, 4)
        assert torch.equal(onehot.sum(-1), torch.ones(19, 6))
        assert decode(onehot) == arch


def test_decode_takes_argmax_per_subblock_and_canonicalises():
    logits = torch.zeros(19, 6, 4)
    logits[:, :, 3] = 1.0           # skip everywhere...
    logits[:, 0, 2] = 5.0           # ...but k7 in sub-block 0
    logits[:, 4, 0] = 5.0           # and k3 in sub-block 4 (a non-canonical position)
    assert decode(logits) == Arch([[3, 7]] * 19)
    logits[5, 4, 0] = -5.0
    with pytest.raises(ArchError, match='layer 5'):
        decode(logits)


def test_mutation_and_crossover_stay_in_the_space(rng):
    a, b = sample_arch(rng), sample_arch(rng)
    assert mutate(a, 0.0, rng) == a
    mutated = mutate(a, 1.0, rng)
    assert isinstance(mutated, Arch) and mutated != a
    child = crossover(a, b, rng)
    assert all(layer in (x, y) for layer, x, y in zip(child, a, b))
    assert crossover(a, b, rng, prob_first=1.0) == a


def test_subnet_file_round_trip_and_any_kernel_order(tmp_path, rng):
    arch = sample_arch(rng)
    path = tmp_path / 'net.yaml'
    save_subnet(path, arch, {'flops': 12.5, 'source': 'test'})
    loaded, meta = load_subnet(path)
    assert loaded == arch and meta == {'space': SPACE_NAME, 'flops': 12.5, 'source': 'test'}
    text = path.read_text()
    assert text.endswith(''.join(f'- [{", ".join(map(str, layer))}]\n' for layer in arch))
    shuffled = tmp_path / 'shuffled.yaml'
    shuffled.write_text('layers:\n' + ''.join(f'- {list(reversed(layer))}\n' for layer in arch))
    assert load_subnet(shuffled)[0] == arch
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob('.subnet-*'))


@pytest.mark.parametrize('body, message', [
    ('layers:\n' + '- [3, 3]\n' * 18, '18 layers listed, the space has 19'),
    ('layers:\n' + '- [3, 3]\n' * 7 + '- [3, 9]\n' + '- [3, 3]\n' * 11, r'layer 7: kernel size\(s\) \[9\]'),
    ('layers:\n' + '- [3, 3]\n' * 3 + '- [5]\n' + '- [3, 3]\n' * 15, 'layer 3: 1 active sub-blocks'),
    ('layers:\n' + '- [3, 3, 3, 3, 3, 3, 3]\n' + '- [3, 3]\n' * 18, 'layer 0: 7 active'),
    ('layers:\n' + '- 3\n' + '- [3, 3]\n' * 18, 'layer 0: expected a list'),
    ('space: nasbench201\nlayers:\n' + '- [3, 3]\n' * 19, 'search space "nasbench201"'),
    ('flops: 3\n', 'top-level "layers:"'),
    ('layers: [3, 3\n', 'not valid YAML'),
])
def test_malformed_subnet_files_are_refused_naming_file_and_layer(tmp_path, body, message):
    path = tmp_path / 'bad.yaml'
    path.write_text(body)
    with pytest.raises(SubnetFileError, match=message) as info:
        load_subnet(path)
    assert str(path) in str(info.value)


def test_missing_subnet_file(tmp_path):
    with pytest.raises(SubnetFileError, match='not found'):
        load_subnet(tmp_path / 'nope.yaml')
