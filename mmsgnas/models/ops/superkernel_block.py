"""The Single-Path NAS block on the SGNAS unified space: a :class:`UnifiedBlock` whose sub-blocks
are depthwise superkernels with trainable thresholds (Stamoulis et al., Single-Path NAS).

Each of the 6 sub-blocks holds one 7x7 depthwise kernel W (a ConvModule: conv, norm, ReLU6). Its
centre 3x3 is the k3 candidate, its centre 5x5 the k5 candidate, the whole 7x7 the k7 candidate:

    kernel = W * (centre3 + wide * (ring5 + full * ring7))

with the 0/1 masks ``centre3`` (the 3x3 centre), ``ring5`` (the 5x5 minus the 3x3) and ``ring7``
(the 7x7 minus the 5x5). Three decisions per sub-block, each an indicator of a norm against a
trainable threshold, ``1(norm - t >= 0)``, whose gradient is that of the surrogate
``sigmoid((norm - t) / temperature)`` (straight-through):

* active (sub-blocks 2..5 only; sub-blocks 0 and 1 are always active, so e >= 2): norm of W's
  centre 3x3;
* wide (k >= 5): norm of W's 5x5 ring;
* full (k = 7): norm of W's 7x7 ring.

A unified path is skips-last, so sub-block i runs only if it and every sub-block before it are
active: ``alive_i = prod_{j <= i} active_j``. A sub-block that does not run contributes zeros to
the second pointwise conv (exactly what a shorter path computes there), and the shadow norm of the
expansion rate ``sum_i alive_i`` normalises the projection. So with the indicators of a discrete
path the block computes exactly that path's network (the stand-alone block with the kernels sliced
out of the superkernels).
"""
from typing import Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from torch import nn

from ...space.spec import KERNEL_SIZES, MIN_EXPANSION, NUM_SUBBLOCKS, SKIP
from .layers import conv_norm_act
from .unified_block import UnifiedBlock

#: Side of the superkernel: the largest candidate kernel.
SUPERKERNEL = max(KERNEL_SIZES)
#: The decisions of a sub-block, in the order of the last axis of a decision tensor.
DECISIONS = ('active', 'wide', 'full')
#: Norms an indicator can compare with its threshold.
NORMS = ('l2', 'rms')


def kernel_masks(size: int = SUPERKERNEL) -> torch.Tensor:
    """[3, size, size] 0/1 masks of the candidate kernels nested in a ``size`` x ``size`` kernel:
    the centre 3x3, the ring that makes it 5x5, the ring that makes it 7x7."""
    if tuple(KERNEL_SIZES) != (3, 5, 7) or size != 7:
        raise ValueError(f'superkernels nest the kernels (3, 5, 7) in a 7x7 kernel, got '
                         f'{tuple(KERNEL_SIZES)} in {size}x{size}')
    nested = []
    for k in KERNEL_SIZES:
        mask = torch.zeros(size, size)
        start = (size - k) // 2
        mask[start:start + k, start:start + k] = 1
        nested.append(mask)
    return torch.stack([nested[0], nested[1] - nested[0], nested[2] - nested[1]])


def straight_through_indicator(x: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """``1(x >= 0)`` forward, the gradient of ``sigmoid(x / temperature)`` backward.

    Args:
        x: norm minus threshold, any shape.
        temperature: scale of the surrogate (the paper: 1).
    Returns:
        A tensor of x's shape whose values are exactly 0.0 or 1.0.
    """
    soft = torch.sigmoid(x / temperature)
    return (x >= 0).to(x.dtype) + (soft - soft.detach())


class SuperkernelBlock(UnifiedBlock):
    """A :class:`UnifiedBlock` (first pointwise conv and its sliced norm, second pointwise conv,
    shadow norms per expansion rate, residual) whose 6 sub-blocks are 7x7 depthwise superkernels
    decided by thresholds (see the module docstring).

    ``forward(x, choice)``: x [B, C_in, H, W] -> [B, C_out, H / stride, W / stride]. ``choice`` is
    either a discrete layer path (the kernel sizes of sub-blocks 0..e-1, e.g. ``(7, 3, 5)``) or a
    decision tensor [6, 3] of indicators (alive, wide, full) per sub-block, e.g. from
    :meth:`decisions`; indicators that are exactly 0/1 select a discrete path, and their
    straight-through gradients reach the thresholds.

    Parameters of the search (names end in ``threshold``, so ``paramwise_cfg.custom_keys``
    can give them their own learning rate):

    * ``active_threshold`` [4]: sub-blocks 2..5;
    * ``kernel_threshold`` [6, 2]: per sub-block (wide, full).

    Both start at 0 (the paper): every candidate is on, the search starts from the largest path.

    Args:
        in_channels, out_channels, stride, norm_cfg: as :class:`UnifiedBlock`.
        norm: what each indicator measures: 'l2' (the Frobenius norm of the weights, the paper's)
            or 'rms' (that norm divided by the square root of the number of weights, so one
            threshold scale fits layers of every width).
        temperature: scale of the sigmoid surrogate.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 norm_cfg: Union[dict, None] = None, norm: str = 'rms',
                 temperature: float = 1.0) -> None:
        super().__init__(in_channels, out_channels, stride, norm_cfg)
        if norm not in NORMS:
            raise ValueError(f'norm must be one of {NORMS}, got {norm!r}')
        if not temperature > 0:
            raise ValueError(f'temperature must be > 0, got {temperature!r}')
        self.norm, self.temperature = norm, float(temperature)
        norm_cfg = norm_cfg or dict(type='BN')
        # The parent builds one ConvModule per candidate kernel; a superkernel sub-block is one
        # ConvModule holding all of them.
        if not isinstance(self.subblocks[0], ConvModule):
            self.subblocks = nn.ModuleList(self.make_subblock(in_channels, stride, norm_cfg)
                                           for _ in range(NUM_SUBBLOCKS))
        masks = kernel_masks()
        self.register_buffer('masks', masks, persistent=False)                 # [3, 7, 7]
        counts = masks.sum(dim=(1, 2)) * in_channels                            # weights per mask
        self.register_buffer('mask_sizes', counts, persistent=False)            # [3]
        self.active_threshold = nn.Parameter(torch.zeros(NUM_SUBBLOCKS - MIN_EXPANSION))
        self.kernel_threshold = nn.Parameter(torch.zeros(NUM_SUBBLOCKS, 2))

    @staticmethod
    def make_subblock(in_channels: int, stride: int, norm_cfg: dict) -> ConvModule:
        """One sub-block: 7x7 depthwise superkernel, norm, ReLU6."""
        return conv_norm_act(in_channels, in_channels, SUPERKERNEL, stride, groups=in_channels,
                             norm_cfg=norm_cfg, act_cfg=dict(type='ReLU6'))

    # -- decisions -------------------------------------------------------------------------------
    def superkernels(self) -> torch.Tensor:
        """[6, C_in, 1, 7, 7]: the depthwise weights of the 6 sub-blocks."""
        return torch.stack([sub.conv.weight for sub in self.subblocks])

    def norms(self) -> torch.Tensor:
        """[6, 3] per sub-block the norms of (centre 3x3, 5x5 ring, 7x7 ring) over all channels,
        in the unit of ``norm`` ('l2' or 'rms')."""
        squares = torch.einsum('scikl,mkl->sm', self.superkernels() ** 2, self.masks)
        if self.norm == 'rms':
            squares = squares / self.mask_sizes
        return (squares + 1e-12).sqrt()   # finite gradient at an all-zero ring

    def thresholds(self) -> torch.Tensor:
        """[6, 3] the threshold of each (active, wide, full) decision; the active thresholds of
        sub-blocks 0 and 1 (always active) are -inf."""
        always = self.active_threshold.new_full((MIN_EXPANSION, ), float('-inf'))
        active = torch.cat([always, self.active_threshold])
        return torch.cat([active[:, None], self.kernel_threshold], dim=1)

    def decisions(self, drop: float = 0.0) -> torch.Tensor:
        """[6, 3] indicators (alive, wide, full) of the current thresholds, exactly 0/1, with the
        straight-through surrogate gradients. ``alive`` is structured (skips last); sub-blocks 0
        and 1 are always alive.

        Args:
            drop: probability with which each (active, wide, full) indicator is independently
                switched off (the paper's indicator dropout while the cost term is off); 0 in
                evaluation.
        """
        norms = self.norms()
        x = norms[:, 1:] - self.kernel_threshold
        kernel = straight_through_indicator(x, self.temperature)                     # [6, 2]
        active = straight_through_indicator(norms[MIN_EXPANSION:, 0] - self.active_threshold,
                                            self.temperature)                       # [4]
        active = torch.cat([active.new_ones(MIN_EXPANSION), active])
        if drop > 0:
            keep = (torch.rand(NUM_SUBBLOCKS, 3, device=norms.device) >= drop).to(norms.dtype)
            keep[:MIN_EXPANSION, 0] = 1
            active = active * keep[:, 0]
            kernel = kernel * keep[:, 1:]
        alive = torch.cumprod(active, dim=0)
        return torch.cat([alive[:, None], kernel], dim=1)

    def path_decisions(self, kernels: Sequence[int]) -> torch.Tensor:
        """[6, 3] constant indicators of a discrete layer path (kernel sizes of sub-blocks
        0..e-1); the kernel indicators of skipped sub-blocks are 0."""
        kernels = tuple(kernels)
        if not MIN_EXPANSION <= len(kernels) <= NUM_SUBBLOCKS or \
                any(k not in KERNEL_SIZES for k in kernels):
            raise ValueError(f'a layer path has {MIN_EXPANSION}..{NUM_SUBBLOCKS} kernels from '
                             f'{KERNEL_SIZES}, got {kernels}')
        out = self.kernel_threshold.new_zeros(NUM_SUBBLOCKS, 3)
        for index, k in enumerate(kernels):
            out[index] = torch.tensor([1.0, float(k >= 5), float(k >= 7)])
        return out

    def thresholds_selecting(self, kernels: Sequence[int], margin: float = 0.1) -> None:
        """Set the thresholds so that :meth:`decisions` selects the layer path ``kernels``: each
        threshold ``margin`` below its norm (indicator on) or above it (off), in the unit of
        ``norm``. The kernel thresholds of skipped sub-blocks select k3."""
        target = self.path_decisions(kernels)      # sub-blocks from the first skip on: off
        with torch.no_grad():
            norms = self.norms()
            wanted = norms + torch.where(target > 0, -margin, margin)
            self.active_threshold.copy_(wanted[MIN_EXPANSION:, 0])
            self.kernel_threshold.copy_(wanted[:, 1:])

    @staticmethod
    def cost_weights(decisions: torch.Tensor) -> torch.Tensor:
        """[..., 6, 3] indicators -> [..., 6, 4] weights over [k3, k5, k7, skip] (the space's
        one-hot order): k3 = alive (1 - wide), k5 = alive wide (1 - full), k7 = alive wide full,
        skip = 1 - alive. One-hot exactly when the indicators are 0/1."""
        alive, wide, full = decisions.unbind(-1)
        weights = [alive * (1 - wide), alive * wide * (1 - full), alive * wide * full]
        weights.insert(SKIP, 1 - alive)
        return torch.stack(weights, dim=-1)

    # -- forward ---------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor,
                choice: Union[Sequence[int], torch.Tensor, None] = None) -> torch.Tensor:
        """x: [B, C_in, H, W]; choice: a layer path, [6, 3] indicators, or None (the current
        thresholds' decisions). Returns [B, C_out, H', W']."""
        if choice is None:
            choice = self.decisions()
        elif not isinstance(choice, torch.Tensor):
            choice = self.path_decisions(choice)
        if tuple(choice.shape) != (NUM_SUBBLOCKS, 3):
            raise ValueError(f'decisions must be [{NUM_SUBBLOCKS}, 3] (alive, wide, full), got '
                             f'{list(choice.shape)}')
        out = self._forward_superkernels(x, choice)
        return out + x if self.use_residual else out

    def masked_kernels(self, decisions: torch.Tensor) -> torch.Tensor:
        """[6 * C_in, 1, 7, 7]: each sub-block's superkernel with the rings its (wide, full)
        indicators switch off zeroed."""
        _, wide, full = decisions.unbind(-1)                                   # [6]
        centre, ring5, ring7 = self.masks.unbind(0)                             # [7, 7]
        masks = centre + wide[:, None, None] * (ring5 + full[:, None, None] * ring7)
        kernels = self.superkernels() * masks[:, None, None]                    # [6, C, 1, 7, 7]
        return kernels.flatten(0, 1)

    def _forward_superkernels(self, x: torch.Tensor, decisions: torch.Tensor) -> torch.Tensor:
        hidden = NUM_SUBBLOCKS * self.in_channels
        y = self._expand(x, hidden)
        conv = self.subblocks[0].conv
        y = F.conv2d(y, self.masked_kernels(decisions), None, conv.stride, conv.padding,
                     conv.dilation, hidden)          # the 6 depthwise convs in one call
        alive = decisions[:, 0]
        parts = [alive[i] * sub.activate(sub.norm(part))
                 for i, (sub, part) in enumerate(zip(self.subblocks, y.chunk(NUM_SUBBLOCKS, 1)))]
        y = self.project_conv(torch.cat(parts, dim=1))
        expansion = alive.sum().expand(x.shape[0])
        return self._mix_shadow_bns(y, expansion)


def decisions_to_choices(decisions: torch.Tensor) -> Tuple[int, ...]:
    """[N, 6, 3] or [6, 3] 0/1 indicators -> the choice index of each sub-block ([k3, k5, k7,
    skip] order), layer after layer."""
    weights = SuperkernelBlock.cost_weights(decisions.detach()).reshape(-1, len(KERNEL_SIZES) + 1)
    return tuple(int(c) for c in weights.argmax(dim=-1).tolist())
