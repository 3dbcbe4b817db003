"""The unified block of the SGNAS supernet (paper Sec. 3.3, Fig. 3 and 4)."""
import copy
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from torch import nn

from ...space.spec import KERNEL_SIZES, MAX_EXPANSION, MIN_EXPANSION, NUM_CHOICES, NUM_SUBBLOCKS, SKIP
from .layers import conv_norm_act


def first_channels_of(norm: nn.Module, channels: int) -> nn.Module:
    """A view of a norm layer restricted to its first ``channels`` channels: a shallow copy whose
    parameters and buffers are slices of the original's (so gradients and running-statistics
    updates land in the original). Works for every per-channel norm (BatchNorm, and SyncBatchNorm
    after ``convert_sync_batchnorm``), so a channel slice never bypasses the configured norm."""
    if channels == norm.num_features:
        return norm
    view = copy.copy(norm)
    view.__dict__['_parameters'] = {k: (None if v is None else v[:channels])
                                    for k, v in norm._parameters.items()}
    view.__dict__['_buffers'] = {
        k: (v if v is None or v.dim() == 0 else v[:channels]) for k, v in norm._buffers.items()}
    view.num_features = channels
    return view


#: How the candidate kernels of a sub-block hold their weights (see :class:`UnifiedBlock`).
KERNEL_WEIGHTS = ('separate', 'nested')


def kernel_centre(weight: torch.Tensor, kernel: int) -> torch.Tensor:
    """The centre ``kernel`` x ``kernel`` of depthwise weights [C, 1, K, K] -> [C, 1, k, k]."""
    start = (weight.shape[-1] - kernel) // 2
    return weight[..., start:start + kernel, start:start + kernel]


def nested_kernel(candidates: nn.ModuleDict, kernel: int) -> torch.Tensor:
    """The weights a nested sub-block's ``kernel`` candidate runs: the centre of the largest
    candidate's [C, 1, k_max, k_max] -> [C, 1, kernel, kernel]."""
    return kernel_centre(candidates[f'k{max(KERNEL_SIZES)}'].conv.weight, kernel)


def _write_nested_kernels(module: 'UnifiedBlock', state: dict, prefix: str, _metadata) -> None:
    """State-dict hook of a nested block: the k3 / k5 entries are the centre slices of k7, the
    weights its forward runs (their own parameters are never used)."""
    for index, candidates in enumerate(module.subblocks):
        for kernel in KERNEL_SIZES[:-1]:
            state[f'{prefix}subblocks.{index}.k{kernel}.conv.weight'] = \
                nested_kernel(candidates, kernel).detach().clone()


def _check_nested_kernels(state: dict, prefix: str, *_args) -> None:
    """Load pre-hook of a nested block: refuse weights whose k3 / k5 are not the centres of k7
    (a supernet trained with separate kernels would silently compute another function)."""
    for index in range(NUM_SUBBLOCKS):
        base = f'{prefix}subblocks.{index}.k'
        largest = state.get(f'{base}{max(KERNEL_SIZES)}.conv.weight')
        for kernel in KERNEL_SIZES[:-1]:
            own = state.get(f'{base}{kernel}.conv.weight')
            if largest is None or own is None:
                continue
            centre = kernel_centre(largest, kernel)
            if own.shape != centre.shape or not torch.allclose(own, centre, atol=1e-6):
                raise ValueError(
                    f'{base}{kernel}.conv.weight is not the centre of {base}'
                    f'{max(KERNEL_SIZES)}.conv.weight: these weights come from a supernet '
                    "trained with separate kernels; build it with "
                    "model.backbone.kernel_weights='separate'")


class UnifiedBlock(nn.Module):
    """Inverted bottleneck whose depthwise stage is split into 6 sub-blocks.

    pointwise C_in -> 6*C_in (norm, ReLU6); the 6*C_in channels split into 6 parts of C_in, part i
    through sub-block i (depthwise k3, k5 or k7 with its own weights, norm and ReLU6, or skip);
    pointwise 6*C_in -> C_out; one shadow norm per expansion rate 2..6; residual when stride 1 and
    C_in == C_out.

    ``forward(x, choice)`` runs either a discrete layer path (kernel sizes of sub-blocks 0..e-1 in
    order; only those sub-blocks and the matching slices of the pointwise convs are computed) or
    soft per-sub-block weights of shape [B, 6, 4] over [k3, k5, k7, skip], structured so that a
    skipped sub-block is followed by skipped ones (``UnifiedSpace.structure``): every candidate is
    computed and mixed, the shadow norms of the two expansion rates around the expected one are
    interpolated. On one-hot weights both forwards compute the same function.

    Args:
        norm_cfg: config of every norm layer (mmcv ``build_norm_layer``), BN by default.
        kernel_weights: 'separate' (the paper's and the authors': each candidate kernel of a
            sub-block has its own weights) or 'nested' (the k3 and k5 candidates run the centre
            3x3 and 5x5 of the sub-block's k7 weights, as Single-Path NAS's superkernels and
            Once-for-All's elastic kernels share them; each candidate keeps its own norm). Nested
            weights change how the supernet trains, not its format: :meth:`state_dict` writes the
            centre slices under the k3 / k5 keys, so the checkpoint computes the same function in
            a 'separate' supernet and everything that reads supernet checkpoints reads it.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int,
                 norm_cfg: Optional[dict] = None, kernel_weights: str = 'separate') -> None:
        super().__init__()
        if kernel_weights not in KERNEL_WEIGHTS:
            raise ValueError(f'kernel_weights must be one of {KERNEL_WEIGHTS}, got '
                             f'{kernel_weights!r}')
        self.kernel_weights = kernel_weights
        norm_cfg = norm_cfg or dict(type='BN')
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self.use_residual = stride == 1 and in_channels == out_channels
        hidden = in_channels * NUM_SUBBLOCKS
        self.expand_conv = nn.Conv2d(in_channels, hidden, 1, bias=False)
        self.expand_bn = build_norm_layer(norm_cfg, hidden)[1]
        self.subblocks = nn.ModuleList(
            nn.ModuleDict({f'k{k}': conv_norm_act(in_channels, in_channels, k, stride,
                                                  groups=in_channels, norm_cfg=norm_cfg,
                                                  act_cfg=dict(type='ReLU6'))
                           for k in KERNEL_SIZES}) for _ in range(NUM_SUBBLOCKS))
        self.project_conv = nn.Conv2d(hidden, out_channels, 1, bias=False)
        self.shadow_bns = nn.ModuleList(build_norm_layer(norm_cfg, out_channels)[1]
                                        for _ in range(MIN_EXPANSION, MAX_EXPANSION + 1))
        if kernel_weights == 'nested':
            self._register_state_dict_hook(_write_nested_kernels)
            self._register_load_state_dict_pre_hook(_check_nested_kernels)

    def run_subblock(self, index: int, kernel: int, x: torch.Tensor) -> torch.Tensor:
        """Sub-block ``index`` with candidate ``kernel`` (conv, norm, ReLU6) on its channel part
        x [B, C_in, H, W]."""
        candidate = self.subblocks[index][f'k{kernel}']
        if self.kernel_weights == 'separate':
            return candidate(x)
        y = F.conv2d(x, nested_kernel(self.subblocks[index], kernel), None, self.stride,
                     kernel // 2, 1, self.in_channels)
        return candidate.activate(candidate.norm(y))

    def forward(self, x: torch.Tensor, choice: Union[Sequence[int], torch.Tensor]) -> torch.Tensor:
        if isinstance(choice, torch.Tensor):
            out = self._forward_soft(x, choice)
        else:
            out = self._forward_discrete(x, tuple(choice))
        return out + x if self.use_residual else out

    def _expand(self, x: torch.Tensor, channels: int) -> torch.Tensor:
        """First pointwise conv and its norm restricted to the first ``channels`` outputs (the
        norm is per channel, so a slice computes exactly what the full layer computes there)."""
        y = F.conv2d(x, self.expand_conv.weight[:channels])
        return F.relu6(first_channels_of(self.expand_bn, channels)(y))

    def _forward_discrete(self, x: torch.Tensor, kernels: tuple) -> torch.Tensor:
        expansion = len(kernels)
        parts = self._expand(x, expansion * self.in_channels).chunk(expansion, dim=1)
        y = torch.cat([self.run_subblock(i, k, part)
                       for i, (k, part) in enumerate(zip(kernels, parts))], dim=1)
        y = F.conv2d(y, self.project_conv.weight[:, :expansion * self.in_channels])
        return self.shadow_bns[expansion - MIN_EXPANSION](y)

    def _forward_soft(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        if tuple(weights.shape[1:]) != (NUM_SUBBLOCKS, NUM_CHOICES):
            raise ValueError(f'soft weights must be [B, {NUM_SUBBLOCKS}, {NUM_CHOICES}], '
                             f'got {list(weights.shape)}')
        parts = self._expand(x, NUM_SUBBLOCKS * self.in_channels).chunk(NUM_SUBBLOCKS, dim=1)
        mixed = []
        for i, part in enumerate(parts):
            w = weights[:, i, :, None, None, None]
            out = 0
            for c, k in enumerate(KERNEL_SIZES):
                if bool((w[:, c] != 0).any()):
                    out = out + w[:, c] * self.run_subblock(i, k, part)
            if not isinstance(out, torch.Tensor):   # skipped in every sample of the batch
                out = part.new_zeros(part.shape[0], part.shape[1], *self._out_size(part))
            mixed.append(out)
        y = self.project_conv(torch.cat(mixed, dim=1))
        return self._mix_shadow_bns(y, NUM_SUBBLOCKS - weights[:, :, SKIP].sum(dim=1))

    def _out_size(self, x: torch.Tensor) -> tuple:
        return tuple((s - 1) // self.stride + 1 for s in x.shape[-2:])

    def _mix_shadow_bns(self, y: torch.Tensor, expansion: torch.Tensor) -> torch.Tensor:
        """Per sample, interpolate linearly between the shadow norms of floor(e) and ceil(e) for the
        expected expansion rate e (exactly one norm when e is an integer)."""
        position = (expansion - MIN_EXPANSION).clamp(0, MAX_EXPANSION - MIN_EXPANSION)
        coeffs = torch.relu(1 - (position[:, None] -
                                 torch.arange(len(self.shadow_bns), device=y.device)).abs())
        out = 0
        for index, bn in enumerate(self.shadow_bns):
            coeff = coeffs[:, index]
            if bool((coeff > 0).any()):
                out = out + coeff[:, None, None, None] * bn(y)
        return out
