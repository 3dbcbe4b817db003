"""The NAS-Bench-201 space as plain data: cells, strings, identity classes, encodings, variation,
subnet files, the FLOPs table's numbers and the configs it hands out."""
import csv
import gzip
import os
import random

import pytest
import torch

from mmsgnas.space.base import ArchError
from mmsgnas.space.nasbench201 import EDGES, NUM_IDENTITIES, OPS, Cell, NasBench201Space
from mmsgnas.space.subnet_file import SubnetFileError, load_subnet, save_subnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_CSV = os.path.join(os.path.dirname(ROOT), 'shared', 'benchmarks',
                          'nas_bench_201_v1_1_cifar10.csv')
SHIPPED_CSV = os.path.join(ROOT, 'mmsgnas', 'benchmarks', 'data',
                           'nas_bench_201_v1_1_cifar10.csv.gz')

BEST = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'
ALL_3X3 = ('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|'
           '+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|')
ALL_NONE = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'


@pytest.fixture(scope='module')
def space():
    return NasBench201Space()


def benchmark_strings():
    """The 15,625 official strings in index order (the shared CSV, else the shipped copy)."""
    if os.path.isfile(SHARED_CSV):
        handle = open(SHARED_CSV, newline='')
    else:
        handle = gzip.open(SHIPPED_CSV, 'rt', newline='')
    with handle:
        return [row['arch'] for row in csv.DictReader(handle)]


# -- cells and strings -------------------------------------------------------------------------

def test_the_space_has_15625_distinct_cells(space):
    cells = list(space.enumerate())
    assert space.size() == len(cells) == len(set(cells)) == 15625 == 5 ** 6
    assert all(isinstance(c, Cell) and space.canonical(c) is c for c in cells)
    assert space.decision_shape == space.map_shape == (6, 5)
    assert space.allowed().all() and space.allowed().shape == (6, 5)
    assert space.choice_names == OPS == ('none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3',
                                         'avg_pool_3x3')


def test_every_official_string_round_trips(space):
    strings = benchmark_strings()
    assert len(strings) == len(set(strings)) == 15625
    cells = [space.from_text(text, 'csv') for text in strings]
    assert [space.to_text(c) for c in cells] == strings
    assert set(cells) == set(space.enumerate())


def test_string_edge_order_and_the_three_input_forms(space):
    cell = space.canonical(BEST)
    assert cell == ('nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect',
                    'nor_conv_3x3', 'nor_conv_1x1')
    assert EDGES == ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
    assert cell.op(3, 0) == 'skip_connect' and cell.op(3, 2) == 'nor_conv_1x1'
    assert str(cell) == cell.to_string() == BEST and repr(cell) == f'Cell({BEST!r})'
    assert space.canonical(list(cell)) == space.canonical(cell) == Cell.from_string(BEST) == cell
    assert hash(space.canonical(list(cell))) == hash(cell)
    assert space.to_text(['none'] * 6) == ALL_NONE


@pytest.mark.parametrize('value, pattern', [
    ('|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|', r"src: edge 0 \(1<-0\): unknown operation 'conv'"),
    ('|none~0|+|none~0|none~2|+|none~0|none~1|none~2|', r'src: edge 2 \(2<-1\): expected "<op>~1"'),
    ('|none~0|+|none~0|none~1|+|none~0|none~1|', r'src: .*node 3 has 3 input edges, the string gives 2'),
    ('|none~0|+|none~0|none~1|', r'src: .*expected 3 node groups'),
    ('none~0|+|none~0|none~1|+|none~0|none~1|none~2|', r'src: .*node 1 must be written'),
    (['none'] * 5, r'src: a cell has 6 edges, got 5'),
    (['none'] * 4 + ['sep_conv_3x3', 'none'], r"src: edge 4 \(3<-1\): unknown operation 'sep_conv_3x3'"),
    (['none'] * 5 + [3], r'src: edge 5 \(3<-2\): unknown operation 3'),
    (7, r'src: expected a NAS-Bench-201 cell .* got int'),
    ({'arch': BEST}, r'src: expected a NAS-Bench-201 cell .* got dict'),
])
def test_refusals_name_the_source_and_the_edge(space, value, pattern):
    with pytest.raises(ArchError, match=pattern):
        space.canonical(value, 'src')


def test_cell_constructor_refuses_unknown_ops():
    with pytest.raises(ArchError, match=r"edge 3 \(3<-0\): unknown operation 'max_pool_3x3'"):
        Cell(['none'] * 3 + ['max_pool_3x3'] + ['none'] * 2)


# -- identity ----------------------------------------------------------------------------------

def test_identity_classes_count_exactly(space):
    identities = {space.identity(cell) for cell in space.enumerate()}
    assert len(identities) == NUM_IDENTITIES == space.num_networks() == 4930


def test_identity_of_known_cells(space):
    assert space.identity(ALL_NONE) == '0'
    # skip sums flatten into multisets: node 1 = x, node 2 = 2x, node 3 = x + x + 2x
    assert space.identity(['skip_connect'] * 6) == 'x+x+x+x'
    assert space.identity(BEST) == ('nor_conv_1x1(nor_conv_3x3(nor_conv_3x3(x))+nor_conv_3x3(x))'
                                    '+nor_conv_3x3(nor_conv_3x3(x))+x')
    c = 'nor_conv_3x3'
    n1 = f'{c}(x)'
    n2 = '+'.join(sorted([n1, f'{c}({n1})']))      # terms of a sum are sorted
    assert space.identity(ALL_3X3) == '+'.join(sorted([n1, f'{c}({n1})', f'{c}({n2})']))


def test_identity_merges_equivalent_cells(space):
    # the two cells the benchmark tests treat as one query: node 3 = x + avg(c3(x)) + c3(c1(x))
    a = '|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|'
    b = '|nor_conv_1x1~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|'
    assert space.identity(a) == space.identity(b)
    # skip(a + b) + c == a + skip(b + c): node 2 = x + c1(x) reached by skip vs. built at node 3
    via_node2 = '|none~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|none~1|skip_connect~2|'
    direct = '|none~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|none~1|skip_connect~2|'
    assert space.identity(via_node2) == space.identity(direct) == 'nor_conv_1x1(x)+x'
    # an op on a zero node adds nothing, also on node 2 with two zero inputs
    dead = '|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|'
    assert space.identity(dead) == 'x'


def test_identity_keeps_different_computations_apart(space):
    assert space.identity(['skip_connect'] + ['none'] * 2 + ['skip_connect'] * 2 + ['none']) == 'x+x'
    assert space.identity(['none'] * 3 + ['skip_connect'] + ['none'] * 2) == 'x'
    # a conv of a sum is not a sum of convs
    assert space.identity('|skip_connect~0|+|skip_connect~0|skip_connect~1|'
                          '+|none~0|none~1|nor_conv_3x3~2|') == 'nor_conv_3x3(x+x)'
    assert space.identity('|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|'
                          '+|none~0|skip_connect~1|skip_connect~2|') == \
        'nor_conv_3x3(x)+nor_conv_3x3(x)'
    assert space.identity('|skip_connect~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|') == '0'


def test_live_edges(space):
    assert space.live_edges(BEST) == (True,) * 6
    assert space.live_edges(ALL_NONE) == (False,) * 6
    # 3<-2 none: node 2 is dead, so are its input edges; node 1 still reaches 3 through 3<-1
    assert space.live_edges('|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|'
                            '+|skip_connect~0|avg_pool_3x3~1|none~2|') == \
        (True, False, False, True, True, False)
    # node 1 reaches 3 only through node 2
    assert space.live_edges('|nor_conv_3x3~0|+|none~0|skip_connect~1|'
                            '+|none~0|none~1|nor_conv_1x1~2|') == \
        (True, False, True, False, False, True)
    with_dead_convs = sum(
        any(op.startswith('nor_conv') and not live for op, live in zip(c, space.live_edges(c)))
        for c in space.enumerate())
    assert with_dead_convs == 2290


def test_identity_ignores_edges_that_cannot_reach_the_output(space):
    rng = random.Random(0)
    for _ in range(200):
        cell = list(space.sample(rng))
        cell[4] = cell[5] = 'none'        # nodes 1 and 2 no longer feed node 3
        other = list(cell)
        other[:3] = [rng.choice(OPS) for _ in range(3)]
        assert space.identity(cell) == space.identity(other)


# -- encodings and variation -------------------------------------------------------------------

def test_encode_decode_and_choices_round_trip_every_cell(space):
    cells = list(space.enumerate())
    codes = torch.stack([space.encode(c) for c in cells])
    assert codes.shape == (15625, 6, 5) and torch.equal(codes.sum(-1), torch.ones(15625, 6))
    assert len({tuple(code.argmax(-1).tolist()) for code in codes}) == 15625
    for cell, code in zip(cells, codes):
        assert space.decode(code) == cell
        assert space.from_choices(space.choices(cell)) == cell
    assert space.choices(BEST) == [3, 3, 3, 1, 3, 2]


def test_decoding_logits_and_bad_choices(space):
    torch.manual_seed(0)
    logits = torch.randn(6, 5)
    assert space.decode(logits) == Cell(OPS[i] for i in logits.argmax(-1).tolist())
    with pytest.raises(ArchError, match=r'expected a \[6, 5\] tensor'):
        space.decode(torch.zeros(5, 6))
    with pytest.raises(ArchError, match=r'edge 1 \(2<-0\): choice 5 outside 0..4'):
        space.from_choices([0, 5, 0, 0, 0, 0])
    with pytest.raises(ArchError, match='7 choices'):
        space.from_choices([0] * 7)


def test_sampling_is_uniform_per_edge(space):
    rng = random.Random(1)
    counts = torch.zeros(6, 5)
    for _ in range(5000):
        counts += space.encode(space.sample(rng))
    freq = counts / 5000
    assert (freq - 0.2).abs().max() < 0.03


def test_mutation_and_crossover_stay_in_the_space(space):
    rng = random.Random(2)
    changed = 0
    for _ in range(200):
        a, b = space.sample(rng), space.sample(rng)
        for child in (space.mutate(a, 0.5, rng), space.crossover(a, b, rng)):
            assert isinstance(child, Cell) and space.canonical(child) == child
            assert set(child) <= set(OPS)
        cross = space.crossover(a, b, rng)
        assert all(x in (p, q) for x, p, q in zip(cross, a, b))
        assert space.mutate(a, 0.0, rng) == a
        assert space.crossover(a, b, rng, prob_first=1.0) == a
        assert space.crossover(a, b, rng, prob_first=0.0) == b
        changed += sum(x != y for x, y in zip(space.mutate(a, 1.0, rng), a))
    # prob 1 resamples every edge: a different op 4 times in 5
    assert abs(changed / (200 * 6) - 0.8) < 0.05
    assert space.mutate(BEST, 0.0, rng) == space.canonical(BEST)


# -- files and settings --------------------------------------------------------------------------

def test_subnet_file_round_trip(space, tmp_path):
    rng = random.Random(3)
    for index, cell in enumerate([space.canonical(BEST)] + [space.sample(rng) for _ in range(10)]):
        path = tmp_path / f'{index}.yaml'
        save_subnet(path, cell, dict(flops=1.5, source='test'), space)
        text = path.read_text()
        assert text.startswith('space: nas-bench-201\n')
        assert f"arch: '{space.to_text(cell)}'" in text
        loaded, meta = load_subnet(path, space)
        assert loaded == cell and isinstance(loaded, Cell)
        assert meta == dict(space='nas-bench-201', flops=1.5, source='test')
    assert space.to_file_content(BEST) == {'arch': BEST}
    assert space.file_keys == ('arch',)


def test_bad_subnet_files_are_refused_with_path_and_edge(space, tmp_path):
    bad_op = tmp_path / 'bad_op.yaml'
    bad_op.write_text("space: nas-bench-201\narch: '" + BEST.replace('nor_conv_1x1~2', 'conv~2') +
                      "'\n")
    with pytest.raises(SubnetFileError, match=r'bad_op.yaml, "arch": edge 5 \(3<-2\): unknown '
                                              r"operation 'conv'"):
        load_subnet(bad_op, space)
    missing = tmp_path / 'missing.yaml'
    missing.write_text('space: nas-bench-201\nlayers: []\n')
    with pytest.raises(SubnetFileError, match='"arch:" entry'):
        load_subnet(missing, space)
    listed = tmp_path / 'listed.yaml'
    listed.write_text('space: nas-bench-201\narch: [none, none]\n')
    with pytest.raises(SubnetFileError, match=r'listed.yaml: "arch" must be the official '
                                              r'architecture string.*got list'):
        load_subnet(listed, space)
    unified = tmp_path / 'unified.yaml'
    unified.write_text('layers:\n' + '- [3, 3]\n' * 19)
    with pytest.raises(SubnetFileError, match='not "nas-bench-201"'):
        load_subnet(unified, space)


def test_settings_equality_and_registry():
    from mmsgnas.registry import SPACES
    small = SPACES.build(dict(type='mmsgnas.NasBench201Space', C=8, N=1))
    assert isinstance(small, NasBench201Space)
    assert small.settings() == dict(space='nas-bench-201', C=8, N=1)
    assert small == NasBench201Space(C=8, N=1) != NasBench201Space()
    assert hash(small) == hash(NasBench201Space(C=8, N=1))
    assert NasBench201Space().feature_channels == 64 and small.feature_channels == 32
    for bad in (dict(C=0), dict(N=1.5), dict(C=True)):
        with pytest.raises(ValueError, match='must be a positive integer'):
            NasBench201Space(**bad)


def test_backbone_configs(space):
    small = NasBench201Space(C=8, N=1)
    assert small.standalone_backbone_cfg(space.canonical(BEST), out_indices=(1, 3)) == dict(
        type='mmsgnas.NasBench201Net', arch=BEST, C=8, N=1, out_indices=(1, 3))
    assert small.supernet_backbone_cfg(norm_eval=True) == dict(
        type='mmsgnas.NasBench201Supernet', C=8, N=1, norm_eval=True)
    cfg = space.classifier_cfg(BEST, 10)
    assert cfg['backbone']['arch'] == BEST and cfg['head']['in_channels'] == 64
    with pytest.raises(ValueError, match='C come from the space'):
        small.supernet_backbone_cfg(C=16)


# -- FLOPs table (numbers; the models test holds them against mmengine's counter) --------------

def test_flops_table_values(space):
    table = space.cost_table(32, 10)
    # stem 442,368 + two reduction blocks 3,670,016 each + classifier 640 MACs
    assert table.base == 7_783_040
    pointwise = 5 * (16 ** 2 * 32 ** 2 + 32 ** 2 * 16 ** 2 + 64 ** 2 * 8 ** 2)
    assert table.table == ((0, 0, pointwise, 9 * pointwise, 0),) * 6
    assert table.arch_mflops(ALL_NONE) == pytest.approx(7.78304, abs=1e-12)
    assert table.arch_mflops(ALL_3X3) == pytest.approx(220.11968, abs=1e-12)
    assert table.arch_mflops(BEST) == pytest.approx(153.27296, abs=1e-12)
    assert table.min_mflops() == pytest.approx(7.78304) and \
        table.max_mflops() == pytest.approx(220.11968)
    rng = random.Random(4)
    cells = [space.sample(rng) for _ in range(8)]
    soft = table.soft_cost(torch.stack([space.encode(c) for c in cells]).double())
    for value, cell in zip(soft.tolist(), cells):
        assert value == pytest.approx(table.arch_cost(cell), rel=1e-12)
    # ImageNet16-120 shape: 16 px, 120 classes
    assert space.cost_table(16, 120).arch_mflops(ALL_NONE) == pytest.approx(
        (3 * 16 * 9 * 256 + (9 * 16 * 32 + 9 * 32 * 32 + 16 * 32) * 64 +
         (9 * 32 * 64 + 9 * 64 * 64 + 32 * 64) * 16 + 64 * 120) / 1e6)


@pytest.mark.parametrize('size', [30, 18, 0, 2])
def test_flops_table_refuses_input_sizes_the_network_cannot_take(space, size):
    with pytest.raises(ValueError, match='multiple of 4'):
        space.cost_table(size, 10)
