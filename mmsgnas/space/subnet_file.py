"""Reading and writing subnet files of any registered space.

A subnet file is a YAML mapping. ``space:`` names the search space (no ``space:`` key means the
SGNAS unified space, as files written before there were other spaces); the space's own keys hold
the architecture (``layers:`` for the unified space, ``arch:`` for NAS-Bench-201); every other
key is metadata (constraint, flops, params, source, ...).
"""
import os
from typing import Any, Dict, Optional, Tuple, Union

import yaml

from ..registry import SPACES
from ..utils.fileio import write_text_atomic
from .base import ArchError, SearchSpace
from .spec import SPACE_NAME

PathLike = Union[str, os.PathLike]


class SubnetFileError(ValueError):
    """A subnet file that cannot be read as an architecture of its search space."""


def space_class(name: str, source: str = '') -> type:
    """The registered space class whose files carry ``space: name``."""
    import mmsgnas.space  # noqa: F401  (registers the spaces)
    for cls in SPACES.module_dict.values():
        if getattr(cls, 'name', None) == name:
            return cls
    known = sorted(getattr(c, 'name', '?') for c in SPACES.module_dict.values())
    prefix = f'{source}: ' if source else ''
    raise SubnetFileError(f'{prefix}unknown search space "{name}" (known: {", ".join(known)})')


def space_from_settings(settings: Dict[str, Any], source: str = '') -> SearchSpace:
    """The space whose :meth:`~mmsgnas.space.SearchSpace.settings` are ``settings`` (as saved in
    a comparison's ``compare.json``)."""
    kwargs = {k: v for k, v in settings.items() if k != 'space'}
    return space_class(settings['space'], source)(**kwargs)


def load_subnet(path: PathLike, space: Optional[SearchSpace] = None) -> Tuple[Any, Dict[str, Any]]:
    """Read a subnet file; returns the architecture (canonical form of ``space``) and the metadata.

    ``space`` defaults to the default instance of the space the file names; a file of another
    space than ``space`` is refused.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise SubnetFileError(f'{path}: subnet file not found')
    try:
        with open(path) as f:
            content = yaml.safe_load(f)
    except yaml.YAMLError as err:
        raise SubnetFileError(f'{path}: not valid YAML ({err})') from err
    return parse_subnet(content, source=path, space=space)


def parse_subnet(content: Any, source: str = '<subnet>',
                 space: Optional[SearchSpace] = None) -> Tuple[Any, Dict[str, Any]]:
    """Validate the loaded YAML content of a subnet file (see :func:`load_subnet`)."""
    if not isinstance(content, dict):
        raise SubnetFileError(f'{source}: expected a YAML mapping, got {type(content).__name__}')
    name = content.get('space', SPACE_NAME)
    if space is None:
        space = space_class(name, source)()
    elif name != space.name:
        raise SubnetFileError(f'{source}: the file is for the search space "{name}", not '
                              f'"{space.name}"')
    missing = [k for k in space.file_keys if k not in content]
    if missing:
        keys = ', '.join(f'"{k}:"' for k in missing)
        raise SubnetFileError(f'{source}: expected a mapping with a top-level {keys} entry for '
                              f'the space "{space.name}"')
    try:
        arch = space.from_file_content(content, source)
    except ArchError as err:
        message = str(err)
        raise SubnetFileError(message if message.startswith(source) else
                              f'{source}: {message}') from err
    metadata = {k: v for k, v in content.items() if k not in space.file_keys}
    metadata['space'] = space.name
    return arch, metadata


def dump_subnet(arch: Any, metadata: Optional[Dict[str, Any]] = None,
                space: Optional[SearchSpace] = None) -> str:
    """The YAML text of a subnet file: ``space:`` and the metadata first, then the architecture
    (a unified architecture one layer per line)."""
    if space is None:
        space = space_class(SPACE_NAME)()
    meta = {'space': space.name}
    meta.update({k: v for k, v in (metadata or {}).items() if k not in space.file_keys})
    if meta['space'] != space.name:
        raise SubnetFileError(f'cannot write a subnet of space "{meta["space"]}" as '
                              f'"{space.name}"')
    arch = space.canonical(arch)
    text = yaml.safe_dump(meta, sort_keys=False, default_flow_style=False)
    for key, value in space.to_file_content(arch).items():
        if isinstance(value, list) and all(isinstance(v, list) for v in value):
            text += f'{key}:\n' + ''.join(f'- [{", ".join(map(str, v))}]\n' for v in value)
        else:
            text += yaml.safe_dump({key: value}, sort_keys=False, default_flow_style=False,
                                   width=1000)
    return text


def save_subnet(path: PathLike, arch: Any, metadata: Optional[Dict[str, Any]] = None,
                space: Optional[SearchSpace] = None) -> None:
    """Write a subnet file atomically (a temporary file renamed into place)."""
    write_text_atomic(path, dump_subnet(arch, metadata, space))
