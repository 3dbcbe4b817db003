"""Reading and writing subnet files.

A subnet file is YAML with a top-level ``layers:`` list (one entry per searchable layer, each the list
of kernel sizes of that layer's active sub-blocks, e.g. ``- [3, 5, 7]``); other top-level keys
(space, constraint, flops, params, source, ...) are metadata. Reading accepts any kernel order and
returns the canonical form; writing writes the canonical form.
"""
import os
from typing import Any, Dict, Optional, Tuple, Union

import yaml

from ..utils.fileio import write_text_atomic
from .arch import Arch, ArchError, canonical_layer
from .spec import IMAGENET_LAYERS, SPACE_NAME

PathLike = Union[str, os.PathLike]
NUM_LAYERS = len(IMAGENET_LAYERS)


class SubnetFileError(ValueError):
    """A subnet file that cannot be read as an architecture of this search space."""


def load_subnet(path: PathLike, num_layers: int = NUM_LAYERS) -> Tuple[Arch, Dict[str, Any]]:
    """Read a subnet file; returns the canonical architecture and the metadata (all other keys)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise SubnetFileError(f'{path}: subnet file not found')
    try:
        with open(path) as f:
            content = yaml.safe_load(f)
    except yaml.YAMLError as err:
        raise SubnetFileError(f'{path}: not valid YAML ({err})') from err
    return parse_subnet(content, source=path, num_layers=num_layers)


def parse_subnet(content: Any, source: str = '<subnet>',
                 num_layers: int = NUM_LAYERS) -> Tuple[Arch, Dict[str, Any]]:
    """Validate the loaded YAML content of a subnet file (see :func:`load_subnet`)."""
    if not isinstance(content, dict) or 'layers' not in content:
        raise SubnetFileError(f'{source}: expected a mapping with a top-level "layers:" list')
    space = content.get('space', SPACE_NAME)
    if space != SPACE_NAME:
        raise SubnetFileError(f'{source}: the file is for the search space "{space}", not '
                              f'"{SPACE_NAME}"')
    layers = content['layers']
    if not isinstance(layers, list):
        raise SubnetFileError(f'{source}: "layers" must be a list, got {type(layers).__name__}')
    if len(layers) != num_layers:
        raise SubnetFileError(f'{source}: {len(layers)} layers listed, the space has {num_layers}')
    canonical = []
    for index, kernels in enumerate(layers):
        if not isinstance(kernels, list):
            raise SubnetFileError(f'{source}: layer {index}: expected a list of kernel sizes, got '
                                  f'{kernels!r}')
        try:
            canonical.append(canonical_layer(kernels, index))
        except ArchError as err:
            raise SubnetFileError(f'{source}: {err}') from err
    metadata = {k: v for k, v in content.items() if k != 'layers'}
    return Arch(canonical), metadata


def dump_subnet(arch: Arch, metadata: Optional[Dict[str, Any]] = None) -> str:
    """The YAML text of a subnet file: metadata first (space always set), then ``layers:`` in flow
    style, one layer per line."""
    meta = {'space': SPACE_NAME}
    meta.update({k: v for k, v in (metadata or {}).items() if k != 'layers'})
    if meta['space'] != SPACE_NAME:
        raise SubnetFileError(f'cannot write a subnet of space "{meta["space"]}" as "{SPACE_NAME}"')
    text = yaml.safe_dump(meta, sort_keys=False, default_flow_style=False)
    text += 'layers:\n' + ''.join(f'- [{", ".join(map(str, layer))}]\n' for layer in arch)
    return text


def save_subnet(path: PathLike, arch: Arch, metadata: Optional[Dict[str, Any]] = None) -> None:
    """Write a subnet file atomically (a temporary file renamed into place)."""
    write_text_atomic(path, dump_subnet(Arch(arch), metadata))
