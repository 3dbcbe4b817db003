"""mmsgnas.benchmarks: the shipped NAS-Bench-201 tables, the official-file reader, the evaluator."""
import gzip
import os
import os.path as osp
import pickle
import sys
import types

import numpy as np
import pytest

from mmsgnas.benchmarks import (DATA_DIR, OFFICIAL_NAMES, OPTIMAL_CELL, BenchmarkEvaluator,
                                BenchmarkFileError, BenchmarkPackageError, BenchmarkQueryError,
                                NasBench201Table, OfficialNasBench201, open_benchmark,
                                shipped_table)
from mmsgnas.benchmarks.nasbench201 import NATS_FILE, V1_1_FILE

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED = osp.join(osp.dirname(ROOT), 'shared', 'benchmarks')

# Two cells of one isomorphism class: nodes 1 and 2 swap roles (no edge joins them).
ISO_A = '|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|'
ISO_B = '|nor_conv_1x1~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|'


@pytest.fixture(scope='module')
def table():
    return shipped_table()


@pytest.fixture(scope='module')
def space():
    from mmsgnas.space.nasbench201 import NasBench201Space
    return NasBench201Space()


def shipped_text(name):
    with gzip.open(osp.join(DATA_DIR, name + '.gz'), 'rt', newline='') as f:
        return f.read()


def write(path, text):
    with open(path, 'w', newline='') as f:
        f.write(text)
    return str(path)


def edited_table(tmp_path, v1_1=None, nats=None):
    """A table whose v1_1 / NATS file is the shipped text after ``v1_1`` / ``nats`` (str -> str)."""
    files = []
    for name, edit in ((V1_1_FILE, v1_1), (NATS_FILE, nats)):
        text = shipped_text(name)
        files.append(write(tmp_path / name, edit(text) if edit else text))
    return NasBench201Table(*files)


# -- the shipped copies --------------------------------------------------------------------------

def test_shipped_copies_equal_the_shared_tables():
    if not osp.isdir(SHARED):
        pytest.skip(f'{SHARED} is not here (a clone without ../shared): no originals to compare')
    for name in (V1_1_FILE, NATS_FILE):
        with gzip.open(osp.join(DATA_DIR, name + '.gz'), 'rb') as f:
            shipped = f.read()
        with open(osp.join(SHARED, name), 'rb') as f:
            assert shipped == f.read(), name


def test_shipped_gzip_headers_are_reproducible():
    for name in (V1_1_FILE, NATS_FILE):
        with open(osp.join(DATA_DIR, name + '.gz'), 'rb') as f:
            header = f.read(10)
        assert header[:3] == b'\x1f\x8b\x08'
        assert header[3] & 0x08 == 0, f'{name}.gz stores a file name'
        assert header[4:8] == b'\0\0\0\0', f'{name}.gz stores a modification time'
    assert osp.isfile(osp.join(DATA_DIR, 'NOTICE.md'))


# -- queries -------------------------------------------------------------------------------------

def test_maxima_of_the_readme(table):
    assert len(table) == 15625
    assert table.index(OPTIMAL_CELL) == 6111
    assert table.accuracy(OPTIMAL_CELL, 'cifar10', 'valid') == pytest.approx(91.6067, abs=1e-9)
    assert table.accuracy(OPTIMAL_CELL, 'cifar10', 'test') == pytest.approx(94.3733, abs=1e-9)
    assert table.optimum('cifar10', 'valid') == (6111, OPTIMAL_CELL, pytest.approx(91.6067))
    # 94.3733 is reached by two cells; ties go to the lower index, the README's cell
    assert table.optimum('cifar10', 'test').index == 6111
    # the test maxima of the other data sets (NATS-Bench) are reached by other cells
    assert round(table.optimum('cifar100', 'test').value, 2) == 73.51
    assert round(table.optimum('ImageNet16-120', 'test').value, 2) == 47.31
    assert table.accuracies('imagenet16_120', 'test').max() == table.optimum(
        'ImageNet16-120', 'test').value


def test_queries_read_the_documented_columns(table):
    index = 1
    arch = table.arch_string(index)
    assert table.accuracy(arch, 'cifar10', 'valid') == 90.7693
    assert table.accuracy(arch, 'cifar10-valid', 'test') == 90.5133
    assert table.accuracy(arch, 'cifar10', 'test') == 93.66
    assert table.accuracy(arch, 'cifar100', 'test') == 70.2933
    assert table.accuracy(index, 'ImageNet16-120', 'test') == 44.0333
    assert table.params(arch) == 0.802426
    assert table.accuracies('cifar10', 'valid')[index] == 90.7693
    with pytest.raises(ValueError):
        table.accuracies()[0] = 0.0          # read-only
    # v1_1 and NATS-Bench differ on CIFAR-10 for about 2,400 cells
    differ = table.column('cifar10_test', table='v1_1') != table.column('cifar10_test',
                                                                        table='nats')
    assert 2000 < differ.sum() < 3000
    with pytest.raises(BenchmarkQueryError, match='in both tables'):
        table.column('cifar10_test')
    assert table.optimum(column='params_M').value == pytest.approx(1.531546)


@pytest.mark.parametrize('query', [
    lambda t: t.accuracy(0, 'cifar100', 'valid'),
    lambda t: t.accuracy(0, 'ImageNet16-120', 'valid'),
    lambda t: t.accuracy(0, 'cifar10', 'valid', epochs=12),
    lambda t: t.train_time(0),
    lambda t: t.params(0, 'cifar100'),
    lambda t: t.check_query('cifar100', 'valid'),
])
def test_what_only_the_official_file_has(table, query):
    with pytest.raises(BenchmarkQueryError, match='only in the official benchmark file') as info:
        query(table)
    assert 'OfficialNasBench201' in str(info.value) and 'pip install' in str(info.value)


def test_bad_queries(table):
    with pytest.raises(BenchmarkQueryError, match='unknown data set'):
        table.accuracy(0, 'mnist')
    with pytest.raises(BenchmarkQueryError, match='unknown split'):
        table.accuracy(0, 'cifar10', 'train')
    with pytest.raises(BenchmarkQueryError, match='12 or 200 epochs'):
        table.accuracy(0, 'cifar10', 'valid', epochs=100)
    with pytest.raises(BenchmarkQueryError, match='outside'):
        table.accuracy(15625)


# -- refused tables ------------------------------------------------------------------------------

def test_truncated_table_is_refused(tmp_path):
    def truncate(text):
        return ''.join(text.splitlines(keepends=True)[:-10])
    with pytest.raises(BenchmarkFileError) as info:
        edited_table(tmp_path, v1_1=truncate)
    message = str(info.value)
    assert str(tmp_path / V1_1_FILE) in message
    assert 'expected 15,625 rows' in message and 'found 15,615' in message
    assert 'mmsgnas/benchmarks/data/' in message and 'OfficialNasBench201' in message


def test_recolumned_table_is_refused(tmp_path):
    with pytest.raises(BenchmarkFileError, match='expected the columns'):
        edited_table(tmp_path, nats=lambda t: t.replace('cifar100_test', 'c100_test', 1))
    # the two files swapped
    files = [write(tmp_path / n, shipped_text(n)) for n in (NATS_FILE, V1_1_FILE)]
    with pytest.raises(BenchmarkFileError, match=f'{NATS_FILE}: expected the columns'):
        NasBench201Table(*files)


def test_table_of_other_values_is_refused(tmp_path):
    with pytest.raises(BenchmarkFileError, match='expected the maximum of cifar10_valid_xvalid '
                                                 'to be 91.6067') as info:
        edited_table(tmp_path, v1_1=lambda t: t.replace(',91.6067,', ',91.4067,'))
    assert 'another benchmark version' in str(info.value)
    with pytest.raises(BenchmarkFileError, match='imagenet16_120_test to be 47.3111'):
        edited_table(tmp_path, nats=lambda t: t.replace(',47.3111', ',47.4111'))


def test_rows_out_of_order_or_of_other_cells_are_refused(tmp_path):
    def swap_rows(text):
        lines = text.splitlines(keepends=True)
        lines[1], lines[2] = lines[2], lines[1]
        return ''.join(lines)
    with pytest.raises(BenchmarkFileError, match='line 2: expected index 0, found \'1\''):
        edited_table(tmp_path, v1_1=swap_rows)

    def other_cell(text):
        lines = text.splitlines(keepends=True)
        lines[6] = lines[6].replace('~0|', '~1|', 1)
        return ''.join(lines)
    with pytest.raises(BenchmarkFileError, match='line 7: cell .* the same cells'):
        edited_table(tmp_path, nats=other_cell)
    with pytest.raises(BenchmarkFileError, match='not a non-negative number'):
        edited_table(tmp_path, v1_1=lambda t: t.replace(',0.129306', ',n/a', 1))
    with pytest.raises(BenchmarkFileError, match='no such file'):
        NasBench201Table(tmp_path / 'missing.csv.gz')


def test_folder_of_plain_csv_tables(tmp_path, table):
    for name in (V1_1_FILE, NATS_FILE):
        write(tmp_path / name, shipped_text(name))
    copy = open_benchmark(tmp_path)
    assert isinstance(copy, NasBench201Table) and copy.arch_strings == table.arch_strings
    np.testing.assert_array_equal(copy.accuracies('cifar100', 'test'),
                                  table.accuracies('cifar100', 'test'))
    assert open_benchmark() is table
    (tmp_path / 'empty').mkdir()
    with pytest.raises(BenchmarkFileError, match='has neither'):
        open_benchmark(tmp_path / 'empty')
    with pytest.raises(BenchmarkFileError, match='expected a folder holding'):
        open_benchmark(tmp_path / V1_1_FILE)


# -- the space -----------------------------------------------------------------------------------

def test_every_cell_parses_and_round_trips(table, space):
    for index, text in enumerate(table.arch_strings):
        arch = space.canonical(text)
        assert space.to_text(arch) == text
        assert table.index(arch) == index


def test_flops_come_from_the_cost_table(table, space):
    for index in (0, 6111, 15624):
        arch = space.canonical(table.arch_string(index))
        for dataset, (size, classes) in (('cifar10', (32, 10)), ('cifar100', (32, 100)),
                                         ('ImageNet16-120', (16, 120))):
            expected = space.cost_table(size, classes).arch_mflops(arch)
            assert table.flops(index, dataset) == pytest.approx(expected)
            assert table.flops_array(dataset)[index] == pytest.approx(expected)


# -- the evaluator -------------------------------------------------------------------------------

def test_evaluator_counts_isomorphic_cells_once(table, space):
    ev = BenchmarkEvaluator(space)
    assert ev.key(ISO_A) == ev.key(ISO_B) != ev.key(OPTIMAL_CELL)
    first = ev(space.canonical(ISO_A))
    assert first == table.accuracy(ISO_A) and ev.queries == 1
    assert ev(ISO_B) == first and ev.queries == 1         # the same network: free, same score
    assert ev(OPTIMAL_CELL) == pytest.approx(91.6067) and ev.queries == 2
    assert ev(ISO_A) == first and ev.queries == 2
    assert [text for text, _ in ev.history] == [ISO_A, OPTIMAL_CELL]
    assert not ev.oracle
    ev.reset()
    assert ev.queries == 0 and ev.history == []
    assert ev(ISO_B) == table.accuracy(ISO_B) and ev.queries == 1


def test_evaluator_settings(table, space, tmp_path):
    oracle = BenchmarkEvaluator(space, benchmark=table, dataset='cifar100', split='test')
    assert oracle.oracle
    assert oracle(OPTIMAL_CELL) == table.accuracy(OPTIMAL_CELL, 'cifar100', 'test')
    with pytest.raises(BenchmarkQueryError, match='only in the official benchmark file'):
        BenchmarkEvaluator(space, dataset='ImageNet16-120', split='valid')
    with pytest.raises(BenchmarkFileError, match='no such file'):
        BenchmarkEvaluator(space, benchmark=tmp_path / 'NAS-Bench-201-v1_1-096897.pth')


def test_evaluator_from_the_registry():
    from mmsgnas.registry import ARCH_EVALUATORS
    ev = ARCH_EVALUATORS.build(dict(type='BenchmarkEvaluator', space=dict(type='NasBench201Space'),
                                    split='test'))
    assert isinstance(ev, BenchmarkEvaluator) and ev(OPTIMAL_CELL) == pytest.approx(94.3733)


def test_spaces_of_other_settings(table):
    from mmsgnas.space import UnifiedSpace
    from mmsgnas.space.nasbench201 import NasBench201Space
    with pytest.raises(ValueError, match='queries the nas-bench-201 benchmark'):
        BenchmarkEvaluator(UnifiedSpace())
    # a smaller macro structure (e.g. for a CPU supernet) still queries the benchmark's networks
    assert BenchmarkEvaluator(NasBench201Space(C=8, N=1))(OPTIMAL_CELL) == pytest.approx(91.6067)
    # but a table does not count FLOPs of other networks than the benchmark's
    with pytest.raises(ValueError, match="the benchmark's networks are those of the space"):
        NasBench201Table(space=NasBench201Space(C=8))


# -- official files ------------------------------------------------------------------------------

def test_official_file_of_another_version_is_refused(tmp_path):
    for name in ('NAS-Bench-201-v1_2-abcdef.pth', 'NATS-sss-v1_0-50262-simple', 'benchmark.pth'):
        path = tmp_path / name
        path.touch()
        with pytest.raises(BenchmarkFileError, match='Supported: ' + ', '.join(OFFICIAL_NAMES)):
            OfficialNasBench201(path)
    (tmp_path / 'NATS-tss-v1_0-3ffb9-simple').touch()
    with pytest.raises(BenchmarkFileError, match='expected a folder'):
        OfficialNasBench201(tmp_path / 'NATS-tss-v1_0-3ffb9-simple')


@pytest.mark.parametrize('name,module,pip_name', [
    ('NAS-Bench-201-v1_1-096897.pth', 'nas_201_api', 'nas-bench-201'),
    ('NAS-Bench-201-v1_0-e61699.pth', 'nas_201_api', 'nas-bench-201'),
    ('NATS-tss-v1_0-3ffb9.pickle.pbz2', 'nats_bench', 'nats_bench'),
    ('NATS-tss-v1_0-3ffb9-simple', 'nats_bench', 'nats_bench'),
])
def test_official_file_without_its_package(tmp_path, monkeypatch, name, module, pip_name):
    monkeypatch.setitem(sys.modules, module, None)       # makes `import module` fail
    path = tmp_path / name
    path.mkdir() if name.endswith('-simple') else path.touch()
    with pytest.raises(BenchmarkPackageError, match=f'needs the official API package {module}.*'
                                                    f'pip install {pip_name}'):
        open_benchmark(path)


class _StandInNatsAPI:
    """Answers like the official nats_bench topology API, from the shipped tables (its
    CIFAR-100 / ImageNet16-120 validation numbers and times are made up)."""

    def __init__(self, table):
        self.table = table
        self.meta_archs = list(table.arch_strings)

    def get_more_info(self, index, dataset, iepoch=None, hp='12', is_random=True):
        assert hp == '200' and is_random is False and iepoch is None
        col = self.table.column
        if dataset == 'cifar10-valid':
            return {'valid-accuracy': col('cifar10_valid_xvalid')[index],
                    'test-accuracy': col('cifar10_valid_oritest')[index], 'train-all-time': 1000.0}
        if dataset == 'cifar10':
            return {'test-accuracy': col('cifar10_test', 'v1_1')[index], 'train-all-time': 2000.0}
        test = col({'cifar100': 'cifar100_test', 'ImageNet16-120': 'imagenet16_120_test'}[dataset])
        return {'valid-accuracy': test[index] - 1.0, 'test-accuracy': test[index],
                'train-all-time': 3000.0}

    def get_cost_info(self, index, dataset, hp='12'):
        assert hp == '200' and dataset in ('cifar10', 'cifar100', 'ImageNet16-120')
        params = None if index == 0 else self.table.params(index)   # as if not recorded
        return {'flops': 100.0 + index, 'params': params, 'latency': None}


def test_official_queries_map_to_the_official_settings(tmp_path, monkeypatch, table):
    calls = []

    def create(path, search_space, fast_mode=False, verbose=True):
        calls.append((search_space, fast_mode, verbose))
        return _StandInNatsAPI(table)
    monkeypatch.setitem(sys.modules, 'nats_bench', types.SimpleNamespace(create=create))
    (tmp_path / 'NATS-tss-v1_0-3ffb9-simple').mkdir()
    official = open_benchmark(tmp_path / 'NATS-tss-v1_0-3ffb9-simple')
    assert isinstance(official, OfficialNasBench201) and calls == [('tss', True, False)]
    for dataset, split in NasBench201Table.ACCURACY_COLUMNS:
        assert official.accuracy(OPTIMAL_CELL, dataset, split) == table.accuracy(
            OPTIMAL_CELL, dataset, split)
    assert official.accuracy(6111, 'cifar100', 'valid') == table.accuracy(6111, 'cifar100',
                                                                          'test') - 1.0
    assert official.train_time(OPTIMAL_CELL, 'cifar10', 'valid') == 1000.0
    assert official.train_time(OPTIMAL_CELL, 'cifar10', 'test') == 2000.0
    assert official.params(OPTIMAL_CELL) == table.params(OPTIMAL_CELL)
    assert official.recorded_flops(OPTIMAL_CELL) == 100.0 + 6111
    with pytest.raises(BenchmarkQueryError, match='does not record parameters on cifar10'):
        official.params(0)


def test_official_nas_bench_201_files(tmp_path, monkeypatch, table):
    def refuse(path, verbose=True):
        raise pickle.UnpicklingError('Weights only load failed')

    def load(path, verbose=True):
        return _StandInNatsAPI(table)
    for name in ('NAS-Bench-201-v1_0-e61699.pth', 'NAS-Bench-201-v1_1-096897.pth'):
        (tmp_path / name).touch()
    monkeypatch.setitem(sys.modules, 'nas_201_api', types.SimpleNamespace(NASBench201API=refuse))
    with pytest.raises(BenchmarkFileError, match='weights_only=True.*NATS-tss-v1_0-3ffb9'):
        OfficialNasBench201(tmp_path / 'NAS-Bench-201-v1_1-096897.pth')
    monkeypatch.setitem(sys.modules, 'nas_201_api', types.SimpleNamespace(NASBench201API=load))
    v1_0 = OfficialNasBench201(tmp_path / 'NAS-Bench-201-v1_0-e61699.pth')
    v1_0.check_query('cifar10', 'valid', 12)
    with pytest.raises(BenchmarkQueryError, match='12-epoch results for cifar10-valid only'):
        v1_0.check_query('cifar100', 'test', 12)
    assert v1_0.accuracy(OPTIMAL_CELL) == pytest.approx(91.6067)


def test_a_real_official_file():
    """Runs when MMSGNAS_NB201_OFFICIAL names an official file or archive folder."""
    path = os.environ.get('MMSGNAS_NB201_OFFICIAL')
    if not path:
        pytest.skip('set MMSGNAS_NB201_OFFICIAL to an official NAS-Bench-201 / NATS-tss file')
    official, table = OfficialNasBench201(path), shipped_table()
    nats = osp.basename(osp.normpath(path)).startswith('NATS-tss')
    queries = [('cifar100', 'test'), ('ImageNet16-120', 'test')] if nats else \
        [('cifar10', 'valid'), ('cifar10', 'test'), ('cifar10-valid', 'test')]
    # cells 0, 11 and 284 are in NATS-Bench's own test archive as well
    for index in (0, 11, 284):
        for dataset, split in queries:
            assert official.accuracy(index, dataset, split) == pytest.approx(
                table.accuracy(index, dataset, split), abs=5e-5)
        assert official.params(index) == pytest.approx(table.params(index), abs=1e-6)


def test_evaluator_settings_name_the_benchmark_without_local_paths():
    from mmsgnas.space import NasBench201Space
    settings = BenchmarkEvaluator(NasBench201Space(), dataset='cifar100', split='test').settings()
    assert settings == dict(evaluator='benchmark', dataset='cifar100', split='test', epochs=200,
                            benchmark='NasBench201Table(nas_bench_201_v1_1_cifar10.csv.gz + '
                                      'nas_bench_201_test_accuracy.csv.gz)')


def test_benchmark_judge_knows_every_cell_for_the_fig5_cloud(table, space):
    from mmsgnas.evaluation.harness.judges import BenchmarkJudge
    judge = BenchmarkJudge(space, dataset='cifar10', split='test', benchmark=table)
    strings, scores = judge.every_cell()
    assert strings == list(table.arch_strings)
    np.testing.assert_array_equal(scores, table.accuracies('cifar10', 'test'))
    assert scores[6111] == pytest.approx(94.3733, abs=1e-9) and max(scores) == scores[6111]
    assert judge.evaluator.queries == 0     # drawing the cloud is not a search query
