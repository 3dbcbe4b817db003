"""NAS-Bench-201 through the official benchmark files and their API packages.

The official files hold everything the compact tables leave out: 12-epoch results, validation
accuracy on CIFAR-100 and ImageNet16-120, training times, and the costs the benchmark recorded on
every data set. They are read by the official packages, imported only when a file is opened:

===============================================  ====================  =========================
file (or archive folder)                         package               ``pip install``
===============================================  ====================  =========================
``NAS-Bench-201-v1_0-e61699.pth``                ``nas_201_api``       ``nas-bench-201``
``NAS-Bench-201-v1_1-096897.pth``                ``nas_201_api``       ``nas-bench-201``
``NATS-tss-v1_0-3ffb9.pickle.pbz2``              ``nats_bench``        ``nats_bench``
``NATS-tss-v1_0-3ffb9-simple/`` (and ``-full/``)  ``nats_bench``        ``nats_bench``
===============================================  ====================  =========================

Download links are in the README of github.com/D-X-Y/NATS-Bench (NATS-tss is the topology
benchmark, the same 15,625 cells as NAS-Bench-201 with more training runs). Files are recognised
by their official names, which carry the version; a renamed or other-version file is refused.
The files are Python pickles: open only files from the official source.
"""
import importlib
import os
import os.path as osp
import pickle
from types import ModuleType
from typing import Any, Dict, Union

from .nasbench201 import (NUM_CELLS, BenchmarkFileError, BenchmarkQueryError,
                          NasBench201Benchmark, check_split_epochs, normalize_dataset,
                          shipped_table)

PathLike = Union[str, os.PathLike]

#: supported official names -> (module, pip name, 'file' or 'dir')
OFFICIAL_FILES: Dict[str, tuple] = {
    'NAS-Bench-201-v1_0-e61699.pth': ('nas_201_api', 'nas-bench-201', 'file'),
    'NAS-Bench-201-v1_1-096897.pth': ('nas_201_api', 'nas-bench-201', 'file'),
    'NATS-tss-v1_0-3ffb9.pickle.pbz2': ('nats_bench', 'nats_bench', 'file'),
    'NATS-tss-v1_0-3ffb9-simple': ('nats_bench', 'nats_bench', 'dir'),
    'NATS-tss-v1_0-3ffb9-full': ('nats_bench', 'nats_bench', 'dir'),
}
OFFICIAL_NAMES = tuple(OFFICIAL_FILES)


class BenchmarkPackageError(ImportError):
    """The official API package needed to read a benchmark file is not installed."""


def _import_api(module: str, pip_name: str, file_name: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise BenchmarkPackageError(
            f'reading {file_name} needs the official API package {module}, which is not '
            f'installed: pip install {pip_name}') from err


def api_setting(dataset: str, split: str) -> str:
    """The official API's data-set setting behind (dataset, split): ``'cifar10'`` validation
    accuracy comes from the ``'cifar10-valid'`` networks (trained on the train half), its test
    accuracy from the ``'cifar10'`` networks (trained on train + valid), as the official API's own
    ``remap_dataset_set_names`` does."""
    dataset = normalize_dataset(dataset)
    if dataset == 'cifar10':
        return 'cifar10-valid' if split == 'valid' else 'cifar10'
    return dataset


class OfficialNasBench201(NasBench201Benchmark):
    """NAS-Bench-201 by an official benchmark file (see the module docstring for the files).

    The numbers are those of the file opened: NAS-Bench-201 v1_0 / v1_1 for the ``.pth`` files,
    NATS-Bench (topology, more runs per cell) for the ``NATS-tss`` files. Accuracies and times are
    the official API's ``get_more_info(index, setting, hp=str(epochs), is_random=False)`` (the mean
    over the file's training runs); parameters and recorded FLOPs its ``get_cost_info``.

    Args:
        path: the benchmark file, or the archive folder for NATS-Bench's fast mode (``-simple``).
        space: see :class:`~mmsgnas.benchmarks.nasbench201.NasBench201Benchmark`.
        verbose: let the official API print its progress messages.

    Raises:
        BenchmarkFileError: a name of an unsupported version, a file where a folder is expected
            (or the reverse), a missing file, or a file the API cannot read.
        BenchmarkPackageError: the official package for the file is not installed.
    """

    def __init__(self, path: PathLike, space: Any = None, verbose: bool = False) -> None:
        super().__init__(space)
        path = os.fspath(path)
        name = osp.basename(osp.normpath(path))
        if name not in OFFICIAL_FILES:
            raise BenchmarkFileError(
                f'{path}: not an official NAS-Bench-201 benchmark file of a supported version '
                f'(recognised by name). Supported: {", ".join(OFFICIAL_NAMES)}. (NATS-sss files '
                'are the size search space, NAS-Bench-101/301 other spaces.)')
        module, pip_name, kind = OFFICIAL_FILES[name]
        if not osp.exists(path):
            raise BenchmarkFileError(f'{path}: no such {"folder" if kind == "dir" else "file"}')
        if (kind == 'dir') != osp.isdir(path):
            raise BenchmarkFileError(f'{path}: expected a {"folder" if kind == "dir" else "file"} '
                                     f'under this name')
        api_module = _import_api(module, pip_name, name)
        self.version = name
        self.source = path
        self.api = self._open(api_module, module, path, kind, verbose)
        strings = list(self.api.meta_archs)
        if len(strings) != NUM_CELLS:
            raise BenchmarkFileError(f'{path}: has {len(strings)} cells, expected {NUM_CELLS:,}')
        if strings != list(shipped_table().arch_strings):
            i = next(i for i, (a, b) in enumerate(zip(strings, shipped_table().arch_strings))
                     if a != b)
            raise BenchmarkFileError(f'{path}: cell {i} is {strings[i]}, the shipped tables have '
                                     f'{shipped_table().arch_strings[i]}: not the official order')
        self._set_strings(strings)

    @staticmethod
    def _open(api_module: ModuleType, module: str, path: str, kind: str, verbose: bool) -> Any:
        if module == 'nats_bench':
            return api_module.create(path, 'tss', fast_mode=(kind == 'dir'), verbose=verbose)
        try:
            return api_module.NASBench201API(path, verbose=verbose)
        except pickle.UnpicklingError as err:
            # torch.load refuses pickled objects outside its weights-only allow-list; mmsgnas does
            # not turn that check off for anyone (see mmsgnas.utils.safe_checkpoint).
            raise BenchmarkFileError(
                f'{path}: torch.load (weights_only=True) refused the file ({err}). Use the '
                'NATS-Bench topology file instead (NATS-tss-v1_0-3ffb9: the same cells with more '
                'runs each; nats_bench unpickles it without such a check), or, if you trust this '
                'file, allow-list the types named above with torch.serialization.add_safe_globals.'
            ) from err

    # -- queries ---------------------------------------------------------------------------------
    def check_query(self, dataset: str = 'cifar10', split: str = 'valid',
                    epochs: int = 200) -> None:
        check_split_epochs(split, epochs)
        setting = api_setting(dataset, split)
        if self.version.startswith('NAS-Bench-201-v1_0') and epochs == 12 and \
                setting != 'cifar10-valid':
            # the v1_0 file trained its 12-epoch networks on cifar10-valid only (nas_201_api notes)
            raise BenchmarkQueryError(f'{self.source}: NAS-Bench-201 v1_0 has 12-epoch results '
                                      f'for cifar10-valid only, not {setting}; use v1_1 or '
                                      'NATS-tss')

    def _info(self, arch: Any, dataset: str, split: str, epochs: int) -> Dict[str, Any]:
        self.check_query(dataset, split, epochs)
        setting, index = api_setting(dataset, split), self.index(arch)
        try:
            return self.api.get_more_info(index, setting, hp=str(epochs), is_random=False)
        except (KeyError, ValueError) as err:
            raise BenchmarkQueryError(f'{self.source}: no {epochs}-epoch results of the {setting} '
                                      f'setting for cell {index} ({err!r})') from err

    def _recorded(self, info: Dict[str, Any], key: str, what: str) -> float:
        value = info.get(key)
        if value is None:
            raise BenchmarkQueryError(f'{self.source}: does not record {what}')
        return float(value)

    def accuracy(self, arch: Any, dataset: str = 'cifar10', split: str = 'valid',
                 epochs: int = 200) -> float:
        """Top-1 accuracy in %, the mean over the file's runs (NAS-Bench-201 v1_0/v1_1 or
        NATS-Bench numbers, by the file opened)."""
        info = self._info(arch, dataset, split, epochs)
        return self._recorded(info, f'{split}-accuracy',
                              f'the {split} accuracy on {dataset} after {epochs} epochs')

    def train_time(self, arch: Any, dataset: str = 'cifar10', split: str = 'valid',
                   epochs: int = 200) -> float:
        """Training time in seconds over all ``epochs`` (``train-all-time``, mean over runs) of
        the networks behind ``accuracy(arch, dataset, split, epochs)``."""
        info = self._info(arch, dataset, split, epochs)
        return self._recorded(info, 'train-all-time',
                              f'the training time on {dataset} ({epochs} epochs)')

    def cost_info(self, arch: Any, dataset: str = 'cifar10') -> Dict[str, Any]:
        """The official ``get_cost_info`` of the 200-epoch networks on ``dataset``: ``'flops'``
        (M), ``'params'`` (M), ``'latency'`` (s per batch of 256) and time entries."""
        setting, index = api_setting(dataset, 'test'), self.index(arch)
        try:
            return dict(self.api.get_cost_info(index, setting, hp='200'))
        except (KeyError, ValueError) as err:
            raise BenchmarkQueryError(f'{self.source}: no costs of the {setting} setting for '
                                      f'cell {index} ({err!r})') from err

    def params(self, arch: Any, dataset: str = 'cifar10') -> float:
        """Parameters in millions as the file records them (differ by data set: the classifier)."""
        return self._recorded(self.cost_info(arch, dataset), 'params', f'parameters on {dataset}')

    def recorded_flops(self, arch: Any, dataset: str = 'cifar10') -> float:
        """MFLOPs as the file records them (:meth:`flops` counts them with the project's cost
        table instead)."""
        return self._recorded(self.cost_info(arch, dataset), 'flops', f'FLOPs on {dataset}')
