"""Single-Path NAS search (Stamoulis et al.): one training run of a superkernel supernet whose
thresholds are the architecture, with a differentiable cost term."""
from typing import Dict, Iterable, List, Optional

import torch
from mmengine import dist
from mmengine.logging import MessageHub
from mmpretrain.models import ImageClassifier
from torch.nn.modules.batchnorm import _BatchNorm

from ...cost import check_budget
from ...cost.switch import COST_SWITCH_KEYS, build_cost_table, cost_settings, normalise_cost_cfg
from ...registry import MODELS
from ..utils import _average_over_ranks

COST_MODES = ('log', 'budget')
#: keys of ``cost`` that shape the loss term
COST_LOSS_KEYS = ('mode', 'weight', 'target', 'delay_epochs', 'delay_iters')


@MODELS.register_module()
class SinglePathNAS(ImageClassifier):
    """A :class:`~mmsgnas.models.backbones.SinglePathSupernet` in an mmpretrain ImageClassifier,
    trained with cross-entropy (the head's loss; label smoothing 0.1 in the configs) plus a cost
    term on the architecture the thresholds select.

    Each training step takes the thresholds' indicators once (exactly 0/1, straight-through
    sigmoid gradients), runs the batch through the path they select and costs that same path with
    the cost table: ``Cost`` = ``CostTable.soft_cost`` of the indicators' one-hot weights [L * 6,
    4], exact in the forward (the decoded architecture's MFLOPs, or its ms under a latency
    table) and differentiable through the surrogates. What is costed is chosen as in every
    generator and search loop: ``cost.type='flops'`` (default; MFLOPs at ``input_size``) or
    ``cost.type='latency'`` with ``cost.table=PATH`` (a table measured by
    ``tools/analysis/build_latency_lut.py`` for this space, macro, input size and classes; the
    paper's runtime model R, in ms). The cost term is

    * ``mode='log'``: ``weight * log(Cost)`` (the paper's ``lambda * log(R)``; the log makes it
      independent of the cost unit);
    * ``mode='budget'``: ``weight * max(0, log(Cost / target))``, a penalty only when over the
      budget ``target`` (in the cost's unit: MFLOPs or ms), for comparing searches at a budget.

    The cost term is off for the first ``delay_epochs`` epochs (or ``delay_iters`` iterations) of
    the run, read from the runner's message hub (mmengine's ``RuntimeInfoHook`` keeps the current
    epoch and iteration there, also after a resume); during that time every indicator is
    switched off with probability ``decision_drop`` (the paper's indicator dropout during its
    warm-up). Evaluation runs the thresholds' path.

    BN running statistics: training normalises with batch statistics, so the running averages
    mix every path the run went through (the dropout paths of the warm-up, the thresholds' paths
    before they settled) with weights that were still moving; they are not the statistics of the
    path evaluation runs, and an evaluation with them can be at chance while the path itself is
    good. :meth:`recalibrate_bn` re-estimates them for the thresholds' path
    (:class:`~mmsgnas.engine.SinglePathSearchHook` does it after every training epoch, before the
    checkpoint and the validation).

    Logged with the losses: ``flops`` (MFLOPs of the current path), ``latency`` (its ms, under a
    latency table), ``flops_error`` or ``latency_error`` (relative to ``target``, when given) and
    ``cost_on`` (0 or 1).

    Args:
        backbone: a SinglePathSupernet config.
        input_size: input resolution the cost table counts at (pixels).
        cost: ``dict(type='flops' | 'latency', table=None or PATH, network=None or dict,
            mode='log' | 'budget', weight=lambda, target=None or MFLOPs / ms, delay_epochs=0,
            delay_iters=None)``; ``target`` is required by 'budget' and reported by both;
            ``type``, ``table`` and ``network`` as :func:`mmsgnas.cost.switch.build_cost_table`.
        decision_drop: indicator dropout probability while the cost term is off.
        other arguments: as mmpretrain's ImageClassifier (neck, head, data_preprocessor, ...).
    """

    def __init__(self, backbone: dict, input_size: int, cost: Optional[dict] = None,
                 decision_drop: float = 0.0, **kwargs) -> None:
        # mmpretrain's default is the bare type 'ClsDataPreprocessor', which only resolves when the
        # default scope is mmpretrain's (or unset); name it with its scope so any scope works
        if kwargs.get('data_preprocessor') is None:
            kwargs['data_preprocessor'] = dict(type='mmpretrain.ClsDataPreprocessor')
        super().__init__(backbone=backbone, **kwargs)
        for name in ('decisions', 'using_decisions', 'cost_weights', 'decode'):
            if not hasattr(self.backbone, name):
                raise TypeError(f'SinglePathNAS needs a SinglePathSupernet backbone (with '
                                f'{name}()), got {type(self.backbone).__name__}')
        self.space = self.backbone.space
        self.input_size = int(input_size)
        cost = dict(cost or {})
        unknown = set(cost) - set(COST_SWITCH_KEYS) - set(COST_LOSS_KEYS)
        if unknown:
            raise ValueError(f'cost: unknown keys {sorted(unknown)} (expected '
                             f'{", ".join(COST_SWITCH_KEYS + COST_LOSS_KEYS)})')
        switch = {k: cost.pop(k) for k in COST_SWITCH_KEYS if k in cost}
        if switch and 'type' not in switch:
            raise ValueError(f'cost: {sorted(switch)} given without cost.type (flops or latency)')
        self.cost_switch = normalise_cost_cfg(switch or None)
        num_classes = self.head.num_classes
        self.cost_table = build_cost_table(self.space, self.input_size, num_classes,
                                           self.cost_switch)
        self.flops_table = self.cost_table if self.cost_switch['type'] == 'flops' else \
            self.space.cost_table(self.input_size, num_classes)
        cost = {**dict(mode='log', weight=0.0, target=None, delay_epochs=0, delay_iters=None),
                **cost}
        if cost['mode'] not in COST_MODES:
            raise ValueError(f"cost.mode must be one of {COST_MODES}, got {cost['mode']!r}")
        if cost['weight'] < 0:
            raise ValueError(f"cost.weight must be >= 0, got {cost['weight']}")
        if cost['target'] is not None:
            cost['target'] = float(cost['target'])
            check_budget(self.cost_table, cost['target'])
        elif cost['mode'] == 'budget':
            raise ValueError(f"cost.mode='budget' needs cost.target ({self.cost_table.unit} at "
                             'input_size)')
        if cost['delay_iters'] is not None and cost['delay_epochs']:
            raise ValueError('give cost.delay_epochs or cost.delay_iters, not both')
        delay = cost['delay_iters'] if cost['delay_iters'] is not None else cost['delay_epochs']
        if delay < 0:
            raise ValueError(f'the cost delay must be >= 0, got {delay}')
        if not 0 <= decision_drop < 1:
            raise ValueError(f'decision_drop must be in [0, 1), got {decision_drop}')
        self.cost_cfg = cost
        self.decision_drop = float(decision_drop)

    @property
    def target(self) -> Optional[float]:
        """The budget in the cost's unit (MFLOPs or ms), or None."""
        return self.cost_cfg['target']

    @property
    def cost_name(self) -> str:
        """What the cost measures: 'flops' or 'latency' (the name of its logged value)."""
        return self.cost_switch['type']

    def cost_on(self) -> bool:
        """Whether the cost term is on at the runner's current epoch / iteration."""
        by_iter = self.cost_cfg['delay_iters'] is not None
        delay = self.cost_cfg['delay_iters'] if by_iter else self.cost_cfg['delay_epochs']
        if not delay:
            return True
        key = 'iter' if by_iter else 'epoch'
        now = MessageHub.get_current_instance().get_info(key)
        if now is None:
            raise RuntimeError(f'SinglePathNAS: the cost term starts after {delay} '
                               f'{key}s, but no runner {key} is known (train through an mmengine '
                               "runner, or set MessageHub.get_current_instance().update_info("
                               f"'{key}', ...))")
        return now >= delay

    def cost_loss(self, cost: torch.Tensor) -> torch.Tensor:
        """The cost term of a differentiable cost (MFLOPs or ms, 0-dim) before the on/off
        switch."""
        weight = self.cost_cfg['weight']
        if self.cost_cfg['mode'] == 'log':
            return weight * torch.log(cost)
        return weight * torch.relu(torch.log(cost / self.target))

    def loss(self, inputs: torch.Tensor, data_samples: List) -> Dict[str, torch.Tensor]:
        """inputs: [N, 3, H, W]. Returns the head's losses, ``loss_cost`` and the logged values."""
        on = self.cost_on()
        decisions = self.backbone.decisions(drop=0.0 if on else self.decision_drop)
        with self.backbone.using_decisions(decisions):
            losses = dict(self.head.loss(self.extract_feat(inputs), data_samples))
        weights = self.backbone.cost_weights(decisions)
        cost = self.cost_table.soft_cost(weights)
        losses['loss_cost'] = self.cost_loss(cost) if on else cost.new_zeros(())
        losses[self.cost_name] = cost.detach()
        if self.flops_table is not self.cost_table:
            losses['flops'] = self.flops_table.soft_cost(weights.detach())
        if self.target is not None:
            losses[f'{self.cost_name}_error'] = (cost.detach() - self.target) / self.target
        losses['cost_on'] = cost.new_tensor(float(on))
        return losses

    @torch.no_grad()
    def recalibrate_bn(self, batches: Iterable[torch.Tensor], reduce: bool = False) -> int:
        """Re-estimate the running statistics of every BN layer on the path the thresholds select
        (BN recalibration): reset them, then average the statistics of ``batches`` (preprocessed
        inputs [N, 3, H, W]) cumulatively in a forward of that path without gradients.

        Only the norms that train are recalibrated (frozen stages and ``norm_eval`` norms keep
        theirs); norms the path does not reach (the shadow norms of other expansion rates) keep
        their statistics. Momenta, batch counters and train / eval modes are restored, so training
        continues as before (it normalises with batch statistics). With ``reduce`` the averages
        are over the batches of all ranks (every rank must pass the same number of batches).

        Returns:
            The number of batches this rank used.
        """
        was_training = self.training
        self.train()   # the backbone keeps frozen / norm_eval norms in eval mode
        norms = [m for m in self.modules()
                 if isinstance(m, _BatchNorm) and m.track_running_stats and m.training]
        saved = [(m.running_mean.clone(), m.running_var.clone(), m.num_batches_tracked.clone(),
                  m.momentum) for m in norms]
        count, ok = 0, False
        try:
            for m in norms:
                m.reset_running_stats()
                m.momentum = None   # cumulative average over the batches
            with self.backbone.using_decisions(self.backbone.decisions()):
                for inputs in batches:
                    self.extract_feat(inputs)
                    count += 1
            if reduce and dist.get_world_size() > 1:
                _average_over_ranks(norms)
            ok = True
        finally:
            for m, (mean, var, tracked, momentum) in zip(norms, saved):
                if not ok or int(m.num_batches_tracked) == 0:   # failed, or not on the path
                    m.running_mean.copy_(mean)
                    m.running_var.copy_(var)
                m.num_batches_tracked.copy_(tracked)
                m.momentum = momentum
            self.train(was_training)
        return count

    # -- the search result -----------------------------------------------------------------------
    def decoded(self) -> dict:
        """The architecture the thresholds select and its statistics: ``arch`` (canonical),
        ``flops`` (MFLOPs), ``cost`` (in ``unit``: the same MFLOPs, or ms under a latency
        table), ``cost_error`` (relative to the target, or None), ``flops_error`` (the same when
        the cost is FLOPs, else None), ``active`` (active sub-blocks over all layers),
        ``kernels`` ({3: n, 5: n, 7: n}) and ``expansions`` (per layer)."""
        arch = self.backbone.decode()
        flops = self.flops_table.arch_cost(arch)
        cost = self.cost_table.arch_cost(arch)
        kernels = {k: sum(layer.count(k) for layer in arch) for k in (3, 5, 7)}
        error = None if self.target is None else (cost - self.target) / self.target
        return dict(arch=arch, flops=flops, cost=cost, unit=self.cost_table.unit,
                    cost_error=error, flops_error=error if self.cost_name == 'flops' else None,
                    active=sum(arch.expansions), kernels=kernels,
                    expansions=list(arch.expansions))

    def search_settings(self) -> dict:
        """The search's cost settings, for the subnet file's metadata (under a latency table:
        its path and the measured context, as :func:`mmsgnas.cost.switch.cost_settings`)."""
        settings = dict(self.cost_cfg, type=self.cost_name, unit=self.cost_table.unit,
                        decision_drop=self.decision_drop, input_size=self.input_size)
        if self.cost_name == 'latency':
            settings.update(table=self.cost_switch['table'],
                            measured=cost_settings(self.cost_switch))
        return settings
