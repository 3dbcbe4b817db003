"""Query API over NAS-Bench-201: the recorded results of the 15,625 cells of its topology space.

Two implementations answer the same questions (:class:`NasBench201Benchmark`):

* :class:`NasBench201Table` reads two compact CSV tables that mmsgnas ships (``data/``): the
  CIFAR-10 results of NAS-Bench-201 v1_1 with validation accuracy and parameters, and the test
  accuracy on CIFAR-10, CIFAR-100 and ImageNet16-120 exported from NATS-Bench (topology search
  space). They hold only the 200-epoch accuracies and the parameter counts; it loads in a fraction
  of a second and gives numpy arrays over all cells for harness use.
* :class:`~mmsgnas.benchmarks.official.OfficialNasBench201` reads the official benchmark files
  (several GB) through the official API packages, for everything else (12-epoch results,
  CIFAR-100 / ImageNet16-120 validation accuracy, training times).

Queries name a data set and a split as the official API does:

========================  =====================================================================
``dataset``               networks trained on ...
========================  =====================================================================
``'cifar10'``             ``split='valid'``: the train half of CIFAR-10's training set, scored
                          on the other half (the official ``cifar10-valid`` setting, the number a
                          search may select by); ``split='test'``: train + valid, scored on the
                          test set (the number papers report).
``'cifar10-valid'``       the train half; ``'valid'`` as above, ``'test'``: the same networks
                          scored on the test set.
``'cifar100'``            CIFAR-100's train split, scored on its valid or test half.
``'ImageNet16-120'``      ImageNet16-120's train split, scored on its valid or test half.
========================  =====================================================================

Selecting architectures by a test split is an oracle search: see the "Protocol" section of the
benchmarks README (``shared/benchmarks/README.md``) and
:class:`~mmsgnas.benchmarks.BenchmarkEvaluator`.
"""
import csv
import functools
import gzip
import math
import os
import os.path as osp
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

PathLike = Union[str, os.PathLike]

#: number of cells of the NAS-Bench-201 topology space (= rows of every table, official order)
NUM_CELLS = 15625
#: the official data-set names and ``'cifar10-valid'`` (CIFAR-10 networks trained on its train half)
DATASETS = ('cifar10', 'cifar10-valid', 'cifar100', 'ImageNet16-120')
SPLITS = ('valid', 'test')
#: training schedules of the benchmark, in epochs
EPOCHS = (12, 200)
#: (input size in pixels, number of classes) of the benchmark's networks on each data set
DATASET_SHAPES = {
    'cifar10': (32, 10),
    'cifar10-valid': (32, 10),
    'cifar100': (32, 100),
    'ImageNet16-120': (16, 120),
}
#: the cell with the highest CIFAR-10 validation accuracy (91.6067 %) in NAS-Bench-201 v1_1
OPTIMAL_CELL = ('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|'
                '+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|')

#: the compact tables shipped with mmsgnas (gzip copies of ``shared/benchmarks/*.csv``)
DATA_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'data')
V1_1_FILE = 'nas_bench_201_v1_1_cifar10.csv'
NATS_FILE = 'nas_bench_201_test_accuracy.csv'
V1_1_COLUMNS = ('index', 'arch', 'cifar10_valid_xvalid', 'cifar10_valid_oritest', 'cifar10_test',
                'params_M')
NATS_COLUMNS = ('index', 'arch', 'cifar10_test', 'cifar100_test', 'imagenet16_120_test')

# Content checks on load: (column, expected maximum in %, a cell that reaches it or None). A table
# of another benchmark version, or an edited one, has other maxima.
_V1_1_MAXIMA = (('cifar10_valid_xvalid', 91.6067, OPTIMAL_CELL),
                ('cifar10_test', 94.3733, OPTIMAL_CELL))
_NATS_MAXIMA = (('cifar10_test', 94.3733, OPTIMAL_CELL), ('cifar100_test', 73.5133, None),
                ('imagenet16_120_test', 47.3111, None))

#: how to read what the compact tables do not hold
OFFICIAL_HINT = (
    'It is only in the official benchmark file: read it with '
    "mmsgnas.benchmarks.OfficialNasBench201('<dir>/NATS-tss-v1_0-3ffb9-simple') after "
    '`pip install nats_bench` (or NAS-Bench-201-v1_1-096897.pth after `pip install nas-bench-201`);'
    ' the files are linked from the README of github.com/D-X-Y/NATS-Bench.')
_TABLE_HINT = (
    'NasBench201Table reads only the compact tables mmsgnas ships in mmsgnas/benchmarks/data/ '
    f'({V1_1_FILE}.gz: NAS-Bench-201 v1_1; {NATS_FILE}.gz: NATS-Bench tss export), or '
    'byte-identical copies of them; reinstall mmsgnas if they are missing or changed. For another '
    'benchmark version use the official file through OfficialNasBench201.')


class BenchmarkFileError(ValueError):
    """A benchmark file that is missing, of another benchmark version, or malformed."""


class BenchmarkQueryError(LookupError):
    """A quantity that the benchmark (file) in use does not record."""


class Optimum(NamedTuple):
    """The best cell by some column: official index, official string, value."""
    index: int
    arch: str
    value: float


def normalize_dataset(dataset: str) -> str:
    """The official spelling of a data-set name (case, ``_`` for ``-`` and ``imagenet16`` are
    accepted: ``'imagenet16_120'`` -> ``'ImageNet16-120'``)."""
    folded = str(dataset).lower().replace('_', '-')
    for name in DATASETS:
        if folded == name.lower():
            return name
    raise BenchmarkQueryError(f'unknown data set {dataset!r}: NAS-Bench-201 has '
                              f'{", ".join(DATASETS)}')


def check_split_epochs(split: str, epochs: int) -> None:
    """Refuse a split other than valid/test and a schedule other than 12/200 epochs."""
    if split not in SPLITS:
        raise BenchmarkQueryError(f'unknown split {split!r}: use one of {", ".join(SPLITS)}')
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or \
            epochs not in EPOCHS:
        raise BenchmarkQueryError(f'NAS-Bench-201 trained its networks for 12 or 200 epochs, not '
                                  f'{epochs!r}')


def default_space():
    """The NAS-Bench-201 search space with the benchmark's macro structure (imported lazily: the
    tables themselves need only numpy)."""
    from ..space.nasbench201 import NasBench201Space
    return NasBench201Space()


class NasBench201Benchmark(metaclass=ABCMeta):
    """The query interface over the NAS-Bench-201 benchmark.

    An architecture (``arch`` below) is the official string
    (``'|nor_conv_3x3~0|+|...~0|...~1|+|...~0|...~1|...~2|'``), anything the NAS-Bench-201
    space canonicalises (its architecture objects, their subnet-file content), or an official index
    (``int``).

    Args:
        space: the NAS-Bench-201 space used to parse architectures and to count FLOPs (default:
            the space with the benchmark's macro structure, built on first use). A space of other
            settings (another space, or other ``C`` / ``N``) is refused: its FLOPs would not be
            those of the benchmark's networks.
    """

    #: which file(s) the numbers come from (for messages)
    source: str = ''

    def __init__(self, space: Any = None) -> None:
        if space is not None:
            expected = default_space().settings()
            if space.settings() != expected:
                raise ValueError(f'{type(self).__name__}: the benchmark\'s networks are those of '
                                 f'the space {expected}, got {space!r}')
        self._space = space
        self._strings: List[str] = []
        self._string_index: Dict[str, int] = {}
        self._cost_tables: Dict[str, Any] = {}

    def _set_strings(self, strings: Sequence[str]) -> None:
        self._strings = list(strings)
        self._string_index = {s: i for i, s in enumerate(self._strings)}

    # -- architectures ---------------------------------------------------------------------------
    @property
    def space(self):
        """The NAS-Bench-201 search space (:class:`mmsgnas.space.nasbench201.NasBench201Space`)."""
        if self._space is None:
            self._space = default_space()
        return self._space

    def __len__(self) -> int:
        return len(self._strings)

    def index(self, arch: Any) -> int:
        """The official index (0 ... 15,624) of ``arch``."""
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, bool):
            if not 0 <= arch < len(self._strings):
                raise BenchmarkQueryError(f'{self.source}: index {arch} is outside 0 ... '
                                          f'{len(self._strings) - 1}')
            return int(arch)
        if isinstance(arch, str) and arch in self._string_index:
            return self._string_index[arch]
        space = self.space
        text = space.to_text(space.canonical(arch, source=f'query of {self.source}'))
        try:
            return self._string_index[text]
        except KeyError:
            raise BenchmarkQueryError(f'{self.source}: no cell {text}') from None

    def arch_string(self, index: int) -> str:
        """The official string of the cell at ``index``."""
        return self._strings[self.index(index)]

    @property
    def arch_strings(self) -> Tuple[str, ...]:
        """The official strings of all cells, in official index order."""
        return tuple(self._strings)

    def arch(self, index: int) -> Any:
        """The canonical architecture (of :attr:`space`) of the cell at ``index``."""
        return self.space.canonical(self.arch_string(index), source=f'{self.source}, cell {index}')

    # -- queries ---------------------------------------------------------------------------------
    @abstractmethod
    def check_query(self, dataset: str = 'cifar10', split: str = 'valid',
                    epochs: int = 200) -> None:
        """Raise :class:`BenchmarkQueryError` unless this benchmark records the accuracy of
        (dataset, split, epochs); search loops call it before their first query."""

    @abstractmethod
    def accuracy(self, arch: Any, dataset: str = 'cifar10', split: str = 'valid',
                 epochs: int = 200) -> float:
        """Top-1 accuracy in % of ``arch``, averaged over the benchmark's training runs."""

    @abstractmethod
    def params(self, arch: Any, dataset: str = 'cifar10') -> float:
        """Parameters of ``arch``'s network on ``dataset``, in millions, as the benchmark
        recorded them."""

    @abstractmethod
    def train_time(self, arch: Any, dataset: str = 'cifar10', split: str = 'valid',
                   epochs: int = 200) -> float:
        """Training time in seconds of the run behind ``accuracy(arch, dataset, split, epochs)``
        (all ``epochs``, averaged over runs), as the benchmark recorded it."""

    def cost_table(self, dataset: str = 'cifar10'):
        """The project's FLOPs table (:class:`mmsgnas.cost.CostTable`) of the benchmark's network
        on ``dataset`` (its input size and number of classes)."""
        dataset = normalize_dataset(dataset)
        if dataset not in self._cost_tables:
            self._cost_tables[dataset] = self.space.cost_table(*DATASET_SHAPES[dataset])
        return self._cost_tables[dataset]

    def flops(self, arch: Any, dataset: str = 'cifar10') -> float:
        """MFLOPs (multiply-accumulates / 1e6) of ``arch``'s network on ``dataset``, from the
        project's cost table (:mod:`mmsgnas.cost`); the compact tables do not record FLOPs."""
        return self.cost_table(dataset).arch_mflops(self.arch(self.index(arch)))

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.source})'


# -- the compact tables ---------------------------------------------------------------------------

def _read_csv(path: str) -> Tuple[List[str], List[List[str]]]:
    """Header and rows of a CSV or gzip-compressed CSV (by the ``.gz`` suffix)."""
    if not osp.isfile(path):
        raise BenchmarkFileError(f'{path}: no such file. {_TABLE_HINT}')
    try:
        if path.endswith('.gz'):
            with gzip.open(path, 'rt', newline='', encoding='utf-8') as f:
                rows = list(csv.reader(f))
        else:
            with open(path, newline='', encoding='utf-8') as f:
                rows = list(csv.reader(f))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as err:
        raise BenchmarkFileError(f'{path}: cannot be read as a CSV table ({err}). '
                                 f'{_TABLE_HINT}') from err
    if not rows:
        raise BenchmarkFileError(f'{path}: the file is empty. {_TABLE_HINT}')
    return rows[0], rows[1:]


def _parse_table(path: str, columns: Sequence[str],
                 what: str) -> Tuple[List[str], Dict[str, np.ndarray]]:
    """Check a table's columns, rows and index order; returns its cell strings and its numeric
    columns (float64 arrays in index order)."""
    header, rows = _read_csv(path)
    if tuple(header) != tuple(columns):
        raise BenchmarkFileError(f'{path}: expected the columns {",".join(columns)} of the {what} '
                                 f'table, found {",".join(header)}. {_TABLE_HINT}')
    if len(rows) != NUM_CELLS:
        raise BenchmarkFileError(f'{path}: expected {NUM_CELLS:,} rows (one per cell of '
                                 f'NAS-Bench-201, in official index order), found {len(rows):,}. '
                                 f'{_TABLE_HINT}')
    numeric = columns[2:]
    values = np.empty((len(numeric), NUM_CELLS), dtype=np.float64)
    strings = []
    for i, row in enumerate(rows):
        line = i + 2
        if len(row) != len(columns):
            raise BenchmarkFileError(f'{path}, line {line}: expected {len(columns)} fields, found '
                                     f'{len(row)}. {_TABLE_HINT}')
        if row[0] != str(i):
            raise BenchmarkFileError(f'{path}, line {line}: expected index {i}, found {row[0]!r}: '
                                     f'the rows must be in official index order. {_TABLE_HINT}')
        strings.append(row[1])
        for c, text in enumerate(row[2:]):
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or value < 0:
                raise BenchmarkFileError(f'{path}, line {line}: {numeric[c]} is {text!r}, not a '
                                         f'non-negative number. {_TABLE_HINT}')
            values[c, i] = value
    arrays = {}
    for c, name in enumerate(numeric):
        array = values[c].copy()
        array.setflags(write=False)
        arrays[name] = array
    return strings, arrays


def _check_maxima(path: str, what: str, strings: Sequence[str], arrays: Dict[str, np.ndarray],
                  maxima: Sequence[Tuple[str, float, Optional[str]]]) -> None:
    for column, expected, cell in maxima:
        values = arrays[column]
        best = float(values.max())
        at = [strings[i] for i in np.flatnonzero(values == values.max())]
        if abs(best - expected) > 5e-5 or (cell is not None and cell not in at):
            where = f' at {cell}' if cell else ''
            raise BenchmarkFileError(
                f'{path}: this is not the {what} table: expected the maximum of {column} to be '
                f'{expected}{where}, found {best} at {at[0]}; the file is of another benchmark '
                f'version or was changed. {_TABLE_HINT}')


class NasBench201Table(NasBench201Benchmark):
    """NAS-Bench-201 by the two compact tables mmsgnas ships (or copies of them).

    Where each number comes from:

    * CIFAR-10 (``'cifar10'`` and ``'cifar10-valid'``, valid and test) and :meth:`params`:
      NAS-Bench-201 **v1_1** (``NAS-Bench-201-v1_1-096897.pth``), file
      ``nas_bench_201_v1_1_cifar10``.
    * CIFAR-100 and ImageNet16-120 test accuracy: the **NATS-Bench** topology benchmark
      (``NATS-tss-v1_0-3ffb9``), file ``nas_bench_201_test_accuracy``. NATS-Bench averages more
      training runs than v1_1; about 2,400 cells differ from v1_1 on CIFAR-10 by up to a few
      points. Its CIFAR-10 column is :meth:`column` ``('cifar10_test', table='nats')``.
    * FLOPs: the project's cost table (:meth:`flops`).

    Not in these tables (a query raises :class:`BenchmarkQueryError` saying so): 12-epoch
    results, CIFAR-100 / ImageNet16-120 validation accuracy, training times, and parameters on
    other data sets than CIFAR-10. Use :class:`~mmsgnas.benchmarks.official.OfficialNasBench201`.

    Both files are checked on load: their columns, 15,625 rows in official index order, the same
    cell strings in both, and the known maxima (91.6067 % CIFAR-10 validation and 94.3733 %
    CIFAR-10 test at :data:`OPTIMAL_CELL`; 73.5133 % CIFAR-100 and 47.3111 % ImageNet16-120 test),
    so a table of another benchmark version is refused.

    Args:
        v1_1_file: the v1_1 CIFAR-10 table (``.csv`` or ``.csv.gz``); default: the shipped one.
        nats_file: the NATS-Bench test-accuracy table; default: the shipped one.
        space: see :class:`NasBench201Benchmark`.

    Example::

        table = NasBench201Table()
        table.accuracy('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|'
                       '+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|')        # 91.6067
        valid = table.accuracies('cifar10', 'valid')                            # [15625] %
        table.optimum('cifar100', 'test')                                       # oracle
    """

    #: the (table, column) each recorded (dataset, split) is read from, at 200 epochs
    ACCURACY_COLUMNS = {
        ('cifar10', 'valid'): ('v1_1', 'cifar10_valid_xvalid'),
        ('cifar10', 'test'): ('v1_1', 'cifar10_test'),
        ('cifar10-valid', 'valid'): ('v1_1', 'cifar10_valid_xvalid'),
        ('cifar10-valid', 'test'): ('v1_1', 'cifar10_valid_oritest'),
        ('cifar100', 'test'): ('nats', 'cifar100_test'),
        ('ImageNet16-120', 'test'): ('nats', 'imagenet16_120_test'),
    }

    def __init__(self, v1_1_file: Optional[PathLike] = None, nats_file: Optional[PathLike] = None,
                 space: Any = None) -> None:
        super().__init__(space)
        self.v1_1_file = os.fspath(v1_1_file) if v1_1_file is not None else osp.join(
            DATA_DIR, V1_1_FILE + '.gz')
        self.nats_file = os.fspath(nats_file) if nats_file is not None else osp.join(
            DATA_DIR, NATS_FILE + '.gz')
        self.source = f'{self.v1_1_file} + {self.nats_file}'
        v1_1_strings, v1_1 = _parse_table(self.v1_1_file, V1_1_COLUMNS,
                                          'NAS-Bench-201 v1_1 CIFAR-10')
        nats_strings, nats = _parse_table(self.nats_file, NATS_COLUMNS, 'NATS-Bench test-accuracy')
        if v1_1_strings != nats_strings:
            i = next(i for i, (a, b) in enumerate(zip(v1_1_strings, nats_strings)) if a != b)
            raise BenchmarkFileError(
                f'{self.nats_file}, line {i + 2}: cell {nats_strings[i]}, but {self.v1_1_file} has '
                f'{v1_1_strings[i]} at index {i}: both tables must list the same cells in the '
                f'official index order. {_TABLE_HINT}')
        _check_maxima(self.v1_1_file, 'NAS-Bench-201 v1_1 CIFAR-10', v1_1_strings, v1_1,
                      _V1_1_MAXIMA)
        _check_maxima(self.nats_file, 'NATS-Bench test-accuracy', nats_strings, nats,
                      _NATS_MAXIMA)
        self._set_strings(v1_1_strings)
        self._columns = {'v1_1': v1_1, 'nats': nats}
        self._flops: Dict[str, np.ndarray] = {}

    @classmethod
    def from_dir(cls, folder: PathLike, space: Any = None) -> 'NasBench201Table':
        """The tables in ``folder`` (each as ``.csv`` or ``.csv.gz``), e.g.
        ``shared/benchmarks``."""
        folder = os.fspath(folder)
        paths = []
        for name in (V1_1_FILE, NATS_FILE):
            found = [osp.join(folder, name + ext) for ext in ('', '.gz')
                     if osp.isfile(osp.join(folder, name + ext))]
            if not found:
                raise BenchmarkFileError(f'{folder}: has neither {name} nor {name}.gz. '
                                         f'{_TABLE_HINT}')
            paths.append(found[0])
        return cls(*paths, space=space)

    # -- bulk access -----------------------------------------------------------------------------
    def column(self, name: str, table: Optional[str] = None) -> np.ndarray:
        """A numeric column of the tables (read-only float64 array over all cells in index
        order). ``table`` ('v1_1' or 'nats') is needed only for ``cifar10_test``, which both
        tables have."""
        tables = [table] if table is not None else [t for t in self._columns
                                                    if name in self._columns[t]]
        if table is not None and table not in self._columns:
            raise BenchmarkQueryError(f'unknown table {table!r}: use v1_1 or nats')
        if len(tables) > 1:
            raise BenchmarkQueryError(f'{name} is in both tables: pass table="v1_1" (NAS-Bench-201 '
                                      'v1_1) or table="nats" (NATS-Bench)')
        if not tables or name not in self._columns[tables[0]]:
            known = sorted({c for cols in self._columns.values() for c in cols})
            raise BenchmarkQueryError(f'no column {name!r} in {tables or "the tables"} '
                                      f'(columns: {", ".join(known)})')
        return self._columns[tables[0]][name]

    def _accuracy_column(self, dataset: str, split: str, epochs: int) -> np.ndarray:
        dataset = normalize_dataset(dataset)
        check_split_epochs(split, epochs)
        if epochs != 200:
            raise BenchmarkQueryError(
                f'the {epochs}-epoch results are not in the compact tables ({self.source}). '
                f'{OFFICIAL_HINT}')
        if (dataset, split) not in self.ACCURACY_COLUMNS:
            raise BenchmarkQueryError(
                f'the {split} accuracy on {dataset} is not in the compact tables ({self.source}). '
                f'{OFFICIAL_HINT}')
        table, name = self.ACCURACY_COLUMNS[dataset, split]
        return self._columns[table][name]

    def accuracies(self, dataset: str = 'cifar10', split: str = 'valid',
                   epochs: int = 200) -> np.ndarray:
        """:meth:`accuracy` of every cell in index order (read-only float64 array, %)."""
        return self._accuracy_column(dataset, split, epochs)

    def params_array(self, dataset: str = 'cifar10') -> np.ndarray:
        """:meth:`params` of every cell in index order (read-only float64 array, millions)."""
        if normalize_dataset(dataset) not in ('cifar10', 'cifar10-valid'):
            raise BenchmarkQueryError(
                f'the parameters on {dataset} are not in the compact tables ({self.source}), only '
                f'those on CIFAR-10. {OFFICIAL_HINT}')
        return self._columns['v1_1']['params_M']

    def flops_array(self, dataset: str = 'cifar10') -> np.ndarray:
        """:meth:`flops` of every cell in index order (read-only float64 array, MFLOPs), counted
        once per data set with the project's cost table."""
        dataset = normalize_dataset(dataset)
        if dataset not in self._flops:
            table = self.cost_table(dataset)
            values = np.array([table.arch_mflops(self.arch(i)) for i in range(len(self))],
                              dtype=np.float64)
            values.setflags(write=False)
            self._flops[dataset] = values
        return self._flops[dataset]

    def optimum(self, dataset: str = 'cifar10', split: str = 'valid', epochs: int = 200, *,
                column: Optional[str] = None, table: Optional[str] = None) -> Optimum:
        """The cell with the highest :meth:`accuracy` (or the highest value of ``column``, see
        :meth:`column`); ties go to the lowest index. With ``split='test'`` this is the oracle
        optimum, not something a search may select by."""
        values = (self.column(column, table) if column is not None
                  else self._accuracy_column(dataset, split, epochs))
        index = int(np.argmax(values))
        return Optimum(index, self._strings[index], float(values[index]))

    # -- single queries --------------------------------------------------------------------------
    def check_query(self, dataset: str = 'cifar10', split: str = 'valid',
                    epochs: int = 200) -> None:
        self._accuracy_column(dataset, split, epochs)

    def accuracy(self, arch: Any, dataset: str = 'cifar10', split: str = 'valid',
                 epochs: int = 200) -> float:
        """Top-1 accuracy in % after 200 epochs: CIFAR-10 from NAS-Bench-201 v1_1, CIFAR-100 and
        ImageNet16-120 (test only) from NATS-Bench; see the class docstring."""
        return float(self._accuracy_column(dataset, split, epochs)[self.index(arch)])

    def params(self, arch: Any, dataset: str = 'cifar10') -> float:
        """Parameters in millions on CIFAR-10 (NAS-Bench-201 v1_1's ``params_M``)."""
        return float(self.params_array(dataset)[self.index(arch)])

    def train_time(self, arch: Any, dataset: str = 'cifar10', split: str = 'valid',
                   epochs: int = 200) -> float:
        """Not recorded in the compact tables: always raises :class:`BenchmarkQueryError`."""
        normalize_dataset(dataset)
        check_split_epochs(split, epochs)
        raise BenchmarkQueryError(f'training times are not in the compact tables '
                                  f'({self.source}). {OFFICIAL_HINT}')


@functools.lru_cache(maxsize=1)
def shipped_table() -> NasBench201Table:
    """The shipped tables, loaded once per process (a table is read-only: sharing it is safe)."""
    return NasBench201Table()


def open_benchmark(benchmark: Union[None, PathLike, NasBench201Benchmark] = None,
                   space: Any = None) -> NasBench201Benchmark:
    """A benchmark from what a config or a user gives:

    * ``None``: the shipped compact tables (:func:`shipped_table`);
    * a :class:`NasBench201Benchmark`: itself;
    * a folder holding the two compact tables (``.csv`` or ``.csv.gz``): :class:`NasBench201Table`;
    * an official benchmark file or archive folder (``NAS-Bench-201-v1_1-096897.pth``,
      ``NATS-tss-v1_0-3ffb9.pickle.pbz2``, ``NATS-tss-v1_0-3ffb9-simple``, ...):
      :class:`~mmsgnas.benchmarks.official.OfficialNasBench201`.
    """
    if benchmark is None:
        return shipped_table()
    if isinstance(benchmark, NasBench201Benchmark):
        return benchmark
    if not isinstance(benchmark, (str, os.PathLike)):
        raise TypeError(f'benchmark must be None, a path or a NasBench201Benchmark, not '
                        f'{type(benchmark).__name__}')
    path = os.fspath(benchmark)
    from .official import OFFICIAL_NAMES, OfficialNasBench201
    if osp.basename(osp.normpath(path)) in OFFICIAL_NAMES:
        return OfficialNasBench201(path, space=space)
    if osp.isdir(path):
        return NasBench201Table.from_dir(path, space=space)
    if not osp.exists(path):
        raise BenchmarkFileError(f'{path}: no such file or folder')
    raise BenchmarkFileError(
        f'{path}: expected a folder holding {V1_1_FILE} and {NATS_FILE} (or their .gz), or an '
        f'official benchmark file named one of {", ".join(OFFICIAL_NAMES)}')
