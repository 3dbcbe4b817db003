"""Load mmengine checkpoints with torch's weights-only unpickler.

Since torch 2.6 ``torch.load`` defaults to ``weights_only=True``, which refuses every pickled class
that is not allow-listed. mmengine 0.10.7's own checkpoints pickle a few such objects (the message
hub's :class:`~mmengine.logging.HistoryBuffer` and the numpy arrays and scalars inside it and in
the runtime info), so ``Runner.resume``, ``load_from`` and ``init_cfg=dict(type='Pretrained')`` fail.

This module keeps ``weights_only=True`` and allow-lists only those objects:

* :data:`CHECKPOINT_SAFE_GLOBALS` is the allow-list;
* :func:`install_safe_checkpoint_loading` registers it with torch and replaces mmengine's local-file
  and http(s) checkpoint loaders by ones that pass ``weights_only=True`` explicitly (an explicit
  ``True`` is not overridden by ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``) and report a refused file as
  :class:`UnsafeCheckpointError`;
* :func:`safe_torch_load` gives mmsgnas's own code the same guarantees.

Turning the check off (``weights_only=False`` or ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``) would let a
malicious checkpoint run arbitrary code, so mmsgnas never does it.
"""
import importlib
import os
import os.path as osp
import pickle
import re
from types import ModuleType
from typing import Any, Callable, List, Optional, Tuple, Union

import mmengine.runner.checkpoint as mmengine_checkpoint
import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader

SafeGlobal = Union[Callable, Tuple[Callable, str]]
MapLocation = Any  # whatever ``torch.load`` accepts as ``map_location``

__all__ = [
    'CHECKPOINT_SAFE_GLOBALS', 'UnsafeCheckpointError', 'install_safe_checkpoint_loading',
    'safe_torch_load'
]


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint was refused because it cannot be loaded with ``weights_only=True``."""


# ``HistoryBuffer.__getstate__`` stores its ``_statistics_methods`` (the functions
# ``HistoryBuffer.min`` etc.); pickle writes each as ``builtins.getattr(HistoryBuffer, 'min')``.
_HISTORY_BUFFER_STATISTICS = frozenset({'min', 'max', 'current', 'mean'})


def _history_buffer_getattr(obj: Any, name: str) -> Callable:
    """Stand-in for ``builtins.getattr`` during weights-only unpickling.

    Allowing the real ``getattr`` would let a checkpoint read any attribute of any object it can
    build; this one only returns HistoryBuffer's default statistics methods.
    """
    if obj is HistoryBuffer and name in _HISTORY_BUFFER_STATISTICS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({obj!r}, {name!r}) is not allowed: mmsgnas only allows builtins.getattr for '
        f'HistoryBuffer.{{{", ".join(sorted(_HISTORY_BUFFER_STATISTICS))}}}')


def _numpy_multiarray() -> ModuleType:
    """numpy's ``multiarray`` module: ``numpy._core`` in numpy 2 (and 1.26), ``numpy.core`` before."""
    try:
        return importlib.import_module('numpy._core.multiarray')
    except ImportError:
        return importlib.import_module('numpy.core.multiarray')


def _build_safe_globals() -> List[SafeGlobal]:
    multiarray = _numpy_multiarray()
    safe: List[SafeGlobal] = [
        HistoryBuffer,
        (_history_buffer_getattr, 'builtins.getattr'),
        np.ndarray,
        np.dtype,
    ]
    # Arrays pickle as ``_reconstruct`` and numpy scalars (e.g. ``eta`` and ``best_score`` in the
    # runtime info) as ``scalar``, under ``numpy.core.multiarray`` when written by numpy 1.x and
    # ``numpy._core.multiarray`` by numpy 2.x. Registering both names lets either load under either.
    for func in ('_reconstruct', 'scalar'):
        for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
            safe.append((getattr(multiarray, func), f'{module}.{func}'))
    # Since numpy 1.25 ``np.dtype('f8')`` is an instance of ``numpy.dtypes.Float64DType``, which the
    # unpickler must be allowed to restore the state of. Seen in mmengine checkpoints: float64
    # (history values, numpy scalars), int64 (history counts; int32 on Windows with numpy 1.x) and
    # float32 (metrics returned as numpy.float32).
    dtypes = getattr(np, 'dtypes', None)
    for name in ('Float64DType', 'Float32DType', 'Int64DType', 'Int32DType'):
        dtype_class = getattr(dtypes, name, None)
        if dtype_class is not None:
            safe.append(dtype_class)
    return safe


#: The globals that mmengine's own checkpoints pickle, allow-listed for ``weights_only=True``.
CHECKPOINT_SAFE_GLOBALS: List[SafeGlobal] = _build_safe_globals()


def _allow_checkpoint_globals() -> None:
    # add_safe_globals adds to a set, so repeating it is harmless; doing it before every load keeps
    # the loaders working even if someone called torch.serialization.clear_safe_globals().
    torch.serialization.add_safe_globals(CHECKPOINT_SAFE_GLOBALS)


def _offending_globals(err: BaseException, path: Optional[str]) -> List[str]:
    """Names of the globals that made the weights-only load fail, as far as they can be told."""
    found: List[str] = []
    if path is not None:
        try:
            found = sorted(torch.serialization.get_unsafe_globals_in_checkpoint(path))
        except Exception:  # not a zip checkpoint, TorchScript, unreadable, ...
            found = []
    message = str(err)
    patterns = (r'GLOBAL (\S+) was not an allowed global', r"but got <class '([^']+)'>")
    for pattern in patterns:
        for name in re.findall(pattern, message):
            if name not in found:
                found.append(name)
    return found


def _refusal(source: str, err: pickle.UnpicklingError, path: Optional[str]) -> UnsafeCheckpointError:
    offending = _offending_globals(err, path)
    if offending:
        what = 'it pickles globals that are not allow-listed: ' + ', '.join(offending)
    else:
        # torch re-raises ``from None``; the unpickler's own short message is the context.
        reason = str(err.__context__ or err).strip()
        what = f'the weights-only unpickler rejected it: {reason}'
    return UnsafeCheckpointError(
        f'Refusing to load checkpoint {source}: {what}. mmsgnas only loads checkpoints with '
        'torch.load(weights_only=True): besides tensors and plain containers it accepts only the '
        'classes in mmsgnas.utils.CHECKPOINT_SAFE_GLOBALS, because unpickling anything else can run '
        'arbitrary code. If you trust this file and the class, allow the class before loading with '
        '`torch.serialization.add_safe_globals([TheClass])`; do not use weights_only=False or '
        'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD.')


def load_from_local_safe(filename: str, map_location: MapLocation = None) -> Any:
    """mmengine's local-file checkpoint loader, with ``weights_only=True``.

    Registered for the empty prefix (every path no other scheme claims); mmengine logs it as the
    ``local_safe`` backend.

    Raises:
        FileNotFoundError: ``filename`` is not a file.
        UnsafeCheckpointError: the file needs a global that is not allow-listed.
    """
    filename = osp.expanduser(os.fspath(filename))
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    _allow_checkpoint_globals()
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise _refusal(repr(filename), err, filename) from err


def load_from_http_safe(filename: str,
                        map_location: MapLocation = None,
                        model_dir: Optional[str] = None,
                        progress: bool = os.isatty(0)) -> Any:
    """mmengine's http(s) checkpoint loader, with ``weights_only=True``.

    mmengine's own one calls ``torch.hub.load_state_dict_from_url``, whose ``weights_only`` defaults
    to False. As there, in a distributed run rank 0 downloads first and the others read its copy.
    """
    _allow_checkpoint_globals()

    def load() -> Any:
        try:
            return torch.hub.load_state_dict_from_url(
                filename,
                model_dir=model_dir,
                map_location=map_location,
                progress=progress,
                weights_only=True)
        except pickle.UnpicklingError as err:
            raise _refusal(repr(filename), err, None) from err

    rank, world_size = get_dist_info()
    checkpoint = load() if rank == 0 else None
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            checkpoint = load()
    return checkpoint


def install_safe_checkpoint_loading() -> None:
    """Allow-list :data:`CHECKPOINT_SAFE_GLOBALS` and make mmengine load checkpoints safely.

    Replaces mmengine's loaders for local files (prefix ``''``) and ``http://``/``https://`` URLs;
    the ``torchvision://``, ``open-mmlab://`` and ``mmcls://`` loaders download through the http
    one, so they are covered too. Other schemes (``pavi://``, ``s3://``) keep mmengine's loaders,
    which call ``torch.load`` without ``weights_only`` and so get torch's default (True) and this
    allow-list. Safe to call any number of times.
    """
    _allow_checkpoint_globals()
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local_safe, force=True)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'), loader=load_from_http_safe, force=True)
    # torchvision://, open-mmlab:// and mmcls:// call this module-level name directly.
    mmengine_checkpoint.load_from_http = load_from_http_safe


def safe_torch_load(path: Union[str, 'os.PathLike[str]'], map_location: MapLocation = 'cpu') -> Any:
    """Load a ``torch.save`` file with ``weights_only=True`` and mmengine's checkpoint globals.

    Raises:
        FileNotFoundError: ``path`` is not a file.
        UnsafeCheckpointError: the file needs a global that is not allow-listed.
    """
    return load_from_local_safe(os.fspath(path), map_location=map_location)
