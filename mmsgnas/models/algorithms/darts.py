"""DARTS (Liu et al., ICLR'19, first order) on any space with a soft-forward supernet: the
architecture weights alpha [D, K] are trained together with the network weights, alternating a
weight step on the train split with an alpha step on a held-out split (two optimisers in an
mmengine ``OptimWrapperDict``)."""
import copy
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import MMDistributedDataParallel, is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS, OPTIMIZERS
from mmpretrain.models import ImageClassifier
from torch import nn

from ...registry import MODEL_WRAPPERS, MODELS

Decided = Union[torch.Tensor, Sequence[int], None]


@MODELS.register_module()
class DartsSupernet(ImageClassifier):
    """A supernet backbone of any space (:class:`~mmsgnas.models.backbones.UnifiedSupernet`,
    :class:`~mmsgnas.models.backbones.NasBench201Supernet`: a ``space`` and a soft forward over
    [B, D, K] weights) in an mmpretrain ImageClassifier, with the DARTS architecture weights.

    ``alpha`` is a parameter of the space's decision shape [D, K] (a unified-space decision is a
    sub-block with choices [k3, k5, k7, skip]; a NAS-Bench-201 decision is an edge with its 5
    operations). The weights the supernet runs are :meth:`arch_weights`: a softmax per decision
    over the choices the space allows (the unified space's first two sub-blocks of a layer cannot
    be skip), then the space's structure (a unified-space skip ends its layer). On a one-hot
    alpha this is exactly the one-hot encoding of the decoded architecture, and the soft forward
    computes what the discrete path computes.

    Training (:meth:`train_step`, driven by :class:`~mmsgnas.engine.DartsTrainLoop`): given
    ``dict(weights=<train batch>, arch=<held-out batch>)`` and an ``OptimWrapperDict`` with
    ``weights`` and ``architecture`` (built by ``DartsOptimWrapperConstructor``), first an alpha
    step (cross-entropy on the held-out batch, gradients to alpha only: first-order DARTS), then a
    weight step (cross-entropy on the train batch, alpha detached). With ``fix_alpha=True`` alpha
    is zero (uniform softmax) and frozen, and only the weight step runs ("fix-alpha" of DARTS-PT).

    Evaluation (``mode='predict'``) runs the path set on the backbone when there is one (so a
    :class:`~mmsgnas.evaluation.SubnetEvaluator` scores discrete architectures on it), else the
    weights set with :meth:`set_override_weights` (the selection loops' projected / masked
    weights), else :meth:`arch_weights`: the soft supernet.

    Args:
        backbone: a supernet backbone config.
        fix_alpha: alpha frozen at zero (uniform).
        alpha_init_std: alpha is initialised N(0, std^2) (DARTS: 1e-3); ignored with fix_alpha.
        other arguments: as mmpretrain's ImageClassifier (neck, head, data_preprocessor, ...).
    """

    def __init__(self, backbone: dict, fix_alpha: bool = False, alpha_init_std: float = 1e-3,
                 **kwargs) -> None:
        if kwargs.get('data_preprocessor') is None:
            kwargs['data_preprocessor'] = dict(type='mmpretrain.ClsDataPreprocessor')
        super().__init__(backbone=backbone, **kwargs)
        for name in ('space', 'using', 'set_soft_weights', 'active'):
            if not hasattr(self.backbone, name):
                raise TypeError(f'DartsSupernet needs a supernet backbone with a soft forward '
                                f'(with {name}), got {type(self.backbone).__name__}')
        if alpha_init_std < 0:
            raise ValueError(f'alpha_init_std must be >= 0, got {alpha_init_std}')
        self.space = self.backbone.space
        shape = self.space.decision_shape
        init = torch.zeros(shape) if fix_alpha else alpha_init_std * torch.randn(shape)
        self.alpha = nn.Parameter(init, requires_grad=not fix_alpha)
        self.fix_alpha = bool(fix_alpha)
        self.register_buffer('allowed_choices', self.space.allowed().clone(), persistent=False)
        self._override: Optional[torch.Tensor] = None
        self._detach_alpha = False

    # -- architecture weights --------------------------------------------------------------------
    def probs(self, decided: Decided = None) -> torch.Tensor:
        """[D, K] per-decision softmax of alpha over the allowed choices; a decision with
        ``decided[d] >= 0`` is replaced by the one-hot of that choice (DARTS-PT's projection)."""
        logits = self.alpha.masked_fill(~self.allowed_choices, float('-inf'))
        probs = F.softmax(logits, dim=-1)
        if decided is not None:
            decided = torch.as_tensor(decided, dtype=torch.long, device=probs.device)
            if tuple(decided.shape) != (probs.shape[0], ):
                raise ValueError(f'decided must have one entry per decision ({probs.shape[0]}), '
                                 f'got shape {list(decided.shape)}')
            fixed = decided >= 0
            if bool(fixed.any()):
                chosen = decided.clamp(min=0)
                if not bool(self.allowed_choices[fixed, chosen[fixed]].all()):
                    raise ValueError('decided holds a choice the space does not allow')
                onehot = F.one_hot(chosen, probs.shape[1]).to(probs.dtype)
                probs = torch.where(fixed[:, None], onehot, probs)
        return probs

    def arch_weights(self, decided: Decided = None, mask: Optional[Sequence[int]] = None,
                     probs: Optional[torch.Tensor] = None) -> torch.Tensor:
        """[D, K] weights the supernet runs: :meth:`probs` (or the given ``probs``), with choice
        ``k`` of decision ``d`` removed when ``mask=(d, k)`` (its weight set to zero, the others of
        the decision unchanged, as DARTS-PT perturbs an edge), then the space's structure."""
        if probs is None:
            probs = self.probs(decided)
        if mask is not None:
            d, k = (int(v) for v in mask)
            keep = torch.ones_like(probs)
            keep[d, k] = 0
            probs = probs * keep
        return self.space.structure(probs)

    def set_override_weights(self, weights: Optional[torch.Tensor]) -> None:
        """Run these [D, K] weights (instead of alpha's) in the following forwards; None: back to
        alpha."""
        expected = tuple(self.space.decision_shape)
        if weights is not None and tuple(weights.shape) != expected:
            raise ValueError(f'override weights must be {list(expected)}, got '
                             f'{list(weights.shape)}')
        self._override = weights

    def decode(self) -> object:
        """DARTS's architecture: the argmax of alpha per decision over the allowed choices, with
        the space's structure (a canonical architecture of the space)."""
        return self.space.decode(self.alpha.detach())

    # -- forward ---------------------------------------------------------------------------------
    def extract_feat(self, inputs: torch.Tensor, stage: str = 'neck', detach_alpha: bool = False):
        if self.backbone.active is not None:
            return super().extract_feat(inputs, stage)
        weights = self._override if self._override is not None else self.arch_weights()
        if detach_alpha:
            weights = weights.detach()
        batch = weights.to(inputs.dtype)[None].expand(inputs.shape[0], -1, -1)
        with self.backbone.using(batch):
            return super().extract_feat(inputs, stage)

    def loss(self, inputs: torch.Tensor, data_samples: List) -> Dict[str, torch.Tensor]:
        """inputs: [N, 3, H, W] -> the head's losses on the soft supernet (alpha detached during
        a weight step)."""
        feats = self.extract_feat(inputs, detach_alpha=self._detach_alpha)
        return self.head.loss(feats, data_samples)

    def weight_parameters(self) -> List[nn.Parameter]:
        """Every trainable parameter but alpha."""
        return [p for p in self.parameters() if p is not self.alpha and p.requires_grad]

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: Union[OptimWrapper, OptimWrapperDict],
                   forward: Optional[nn.Module] = None) -> Dict[str, torch.Tensor]:
        """One DARTS step. ``data`` is ``dict(weights=batch, arch=batch)`` (or a plain batch: the
        weight step only); ``optim_wrapper`` an ``OptimWrapperDict`` with ``weights`` and
        ``architecture`` (or a plain wrapper of the weights). ``forward`` is what the losses are
        computed through (``self``, or the DDP wrapper of :class:`DartsDistributedDataParallel`,
        so that gradients are synchronised). Logs ``loss`` (the weight step's), ``loss_arch``
        (the alpha step's) and ``alpha_entropy`` (mean over decisions)."""
        forward = self if forward is None else forward
        if isinstance(data, dict) and set(data) == {'weights', 'arch'}:
            weights_data, arch_data = data['weights'], data['arch']
        else:
            weights_data, arch_data = data, None
        if isinstance(optim_wrapper, OptimWrapperDict):
            weights_wrapper = optim_wrapper['weights']
            arch_wrapper = optim_wrapper.optim_wrappers.get('architecture')
        else:
            weights_wrapper, arch_wrapper = optim_wrapper, None
        log_vars: Dict[str, torch.Tensor] = {}
        if arch_data is not None and not self.fix_alpha:
            if arch_wrapper is None:
                raise ValueError('DartsSupernet: an alpha step needs an "architecture" optimiser '
                                 '(optim_wrapper=dict(constructor="DartsOptimWrapperConstructor",'
                                 ' weights=..., architecture=...))')
            arch_wrapper.zero_grad()
            with arch_wrapper.optim_context(forward):
                batch = self.data_preprocessor(arch_data, True)
                losses = forward(**batch, mode='loss')
            parsed, arch_log = self.parse_losses(losses)
            arch_wrapper.update_params(parsed)
            log_vars['loss_arch'] = arch_log['loss']
        weights_wrapper.zero_grad()   # drop the weights' gradients of the alpha step
        self._detach_alpha = True
        try:
            with weights_wrapper.optim_context(forward):
                batch = self.data_preprocessor(weights_data, True)
                losses = forward(**batch, mode='loss')
        finally:
            self._detach_alpha = False
        parsed, weight_log = self.parse_losses(losses)
        weights_wrapper.update_params(parsed)
        log_vars.update(weight_log)
        with torch.no_grad():
            probs = self.probs()
            entropy = -(probs * probs.clamp_min(1e-12).log()).sum(-1).mean()
        log_vars['alpha_entropy'] = entropy
        return log_vars


@MODEL_WRAPPERS.register_module()
class DartsDistributedDataParallel(MMDistributedDataParallel):
    """mmengine's DDP wrapper for :class:`DartsSupernet`: its training step is the model's own
    two-optimiser step, with both losses computed through this wrapper, so the gradients of the
    weights and of alpha are averaged over the ranks. Use ``find_unused_parameters=True`` (alpha
    gets no gradient in the weight step)."""

    def train_step(self, data, optim_wrapper):
        return self.module.train_step(data, optim_wrapper, forward=self)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class DartsOptimWrapperConstructor:
    """The two optimisers of DARTS as an ``OptimWrapperDict``: ``weights`` (every trainable
    parameter but alpha) and ``architecture`` (alpha; left out when alpha is frozen).

    ``optim_wrapper = dict(constructor='DartsOptimWrapperConstructor',
    weights=dict(type='OptimWrapper', optimizer=dict(type='SGD', ...), clip_grad=...),
    architecture=dict(type='OptimWrapper', optimizer=dict(type='Adam', ...)))``; the parameter
    schedulers are then ``param_scheduler = dict(weights=[...], architecture=[...])``.
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None) -> None:
        if paramwise_cfg:
            raise ValueError('DartsOptimWrapperConstructor: paramwise_cfg is not supported')
        unknown = set(optim_wrapper_cfg) - {'weights', 'architecture'}
        if unknown or 'weights' not in optim_wrapper_cfg:
            raise ValueError('DartsOptimWrapperConstructor expects the keys "weights" and '
                             f'"architecture", got {sorted(optim_wrapper_cfg)}')
        self.cfg = copy.deepcopy(dict(optim_wrapper_cfg))

    @staticmethod
    def _build(cfg: dict, params: List[nn.Parameter]) -> OptimWrapper:
        cfg = copy.deepcopy(dict(cfg))
        cfg.setdefault('type', 'OptimWrapper')
        optimizer = OPTIMIZERS.build(dict(cfg.pop('optimizer'), params=params))
        return OPTIM_WRAPPERS.build(cfg, default_args=dict(optimizer=optimizer))

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        model = model.module if is_model_wrapper(model) else model
        if not isinstance(model, DartsSupernet):
            raise TypeError(f'DartsOptimWrapperConstructor needs a DartsSupernet, got '
                            f'{type(model).__name__}')
        wrappers = dict(weights=self._build(self.cfg['weights'], model.weight_parameters()))
        if model.alpha.requires_grad:
            if 'architecture' not in self.cfg:
                raise ValueError('optim_wrapper.architecture is missing (alpha is trained)')
            wrappers['architecture'] = self._build(self.cfg['architecture'], [model.alpha])
        return OptimWrapperDict(**wrappers)
