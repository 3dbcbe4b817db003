"""One-hot encoding of architectures as [num_layers, 6, 4] tensors ([k3, k5, k7, skip] per sub-block)."""
from typing import Union

import numpy as np
import torch

from .arch import Arch, ArchError
from .spec import KERNEL_SIZES, NUM_CHOICES, NUM_SUBBLOCKS, SKIP


def encode(arch: Arch) -> torch.Tensor:
    """One-hot float tensor of shape [L, 6, 4] for a canonical architecture."""
    choices = torch.tensor(arch.subblock_choices(), dtype=torch.long)
    return torch.nn.functional.one_hot(choices, NUM_CHOICES).float()


def decode(weights: Union[torch.Tensor, np.ndarray]) -> Arch:
    """Architecture of a [L, 6, 4] weight/probability tensor: argmax per sub-block, then canonical
    form (the non-skip kernels of each layer, sorted). Raises ArchError naming the layer when fewer
    than 2 sub-blocks are active."""
    weights = torch.as_tensor(weights)
    if weights.dim() != 3 or tuple(weights.shape[1:]) != (NUM_SUBBLOCKS, NUM_CHOICES):
        raise ArchError(f'expected a [L, {NUM_SUBBLOCKS}, {NUM_CHOICES}] tensor, got '
                        f'{tuple(weights.shape)}')
    choices = weights.argmax(dim=-1).tolist()
    return Arch([KERNEL_SIZES[c] for c in layer if c != SKIP] for layer in choices)


def decode_batch(weights: torch.Tensor) -> list:
    """Decode a [B, L, 6, 4] batch into B architectures."""
    return [decode(w) for w in weights]
