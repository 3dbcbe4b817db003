"""Training the architecture generator on a frozen supernet (paper Algorithm 1), for any space."""
import contextlib
import random
from typing import Any, ContextManager, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from ...cost import Projection, project_to_budget
from ...cost.switch import CostCfg, build_cost_table, cost_settings, normalise_cost_cfg
from ...registry import MODELS
from ...utils import safe_torch_load
from ..utils import batch_statistics


class ConstraintRangeError(ValueError):
    """A cost constraint outside the range the generator was trained for."""


class GeneratorSettingsError(ValueError):
    """A generator checkpoint used with a config it was not trained with."""


@MODELS.register_module()
class GeneratorTrainer(BaseModel):
    """Frozen supernet + architecture generator + constraint loss, driven by an mmengine runner.

    Each training step draws a target uniformly from ``constraint_range`` (MFLOPs; one per batch
    or one per sample, see ``target_sampling``), computes alpha = G(C, B), Gumbel-softmax weights
    per decision at temperature :attr:`tau`, structured by the space (a unified layer ends at its
    first skip), Cost(alpha) (Eq. 9) from the space's cost table, and the supernet's output under
    those weights. loss = CE + loss_weight * L_C with the relative squared error
    L_C = ((Cost - C) / C)^2 (or the absolute one, ``constraint_error``), weighted ``over_weight`` times when over budget (the authors
    penalise exceeding the budget 1.2x). Only the generator has trainable parameters; the supernet
    stays in eval mode and its weights and running statistics never change.

    The space, the cost table and the shapes come from the supernet backbone (``backbone.space``),
    so the same trainer serves the unified space and NAS-Bench-201.

    By default each batch runs one architecture and the supernet's BNs normalise with that batch's
    statistics: a decoded architecture is evaluated after BN recalibration, so that is the accuracy
    the generator should learn to maximise.

    The random priors (one per key of the range, architectures within 2 % of the key) are buffers,
    saved with the checkpoint, so generation is reproducible. The checkpoint also records the
    constraint range, input size and space; loading it into a model built with other settings is
    refused (:class:`GeneratorSettingsError`).

    Args:
        supernet: config of a :class:`SupernetClassifier`.
        generator: config of an :class:`ArchitectureGenerator` (its shapes come from the space).
        supernet_checkpoint: trained supernet weights (mmengine checkpoint or state dict).
        constraint_range: (C_L, C_H) in the cost's unit (MFLOPs, or ms with a latency table).
        input_size: input resolution the costs are counted (or were measured) at.
        num_priors: number of keys in the range, each with its own prior (1: the middle).
        gumbel_hard: straight-through Gumbel-softmax (one-hot sampled architectures forward, soft
            gradients backward) instead of the soft mixture of the paper.
        val_targets: number of evenly spaced targets decoded and evaluated during validation.
        target_sampling: 'sample' draws a target (and Gumbel noise) per sample; 'batch' one per
            batch, so the whole batch runs one architecture (the authors' code; under DDP each rank
            draws its own).
        supernet_bn: 'running' normalises with the supernet's running statistics (eval mode);
            'batch' with the statistics of the batch under the sampled architecture (running
            statistics untouched), which is what BN recalibration gives a decoded architecture.
            'batch' needs ``target_sampling='batch'``.
        tolerance: relative budget tolerance of the projection in validation and generation.
        cost_on: which architecture the constraint loss costs: 'soft' (the paper: Cost(alpha) of
            the soft Gumbel weights the supernet runs), or 'argmax' (the architecture the
            generator's argmax decodes to, exactly, with the gradient of the softmax
            probabilities passed straight through), so that the decoded network itself meets the
            budget rather than the expectation of a soft mixture.
        constraint_error: 'squared' ((Cost - C) / C)^2, or 'absolute' |Cost - C| / C, whose
            gradient does not vanish near the target.
        constraint_samples: targets whose cost the constraint loss averages per step. The first
            ``draws`` (1 per batch, or 1 per sample) also run the supernet; the others are cost
            only (a forward of G and the cost table, no image), so the generator sees many more
            budgets per step at little cost. 1: the paper's one target per architecture run.
        cost: what a constraint is: ``dict(type='flops')`` (default, MFLOPs) or
            ``dict(type='latency', table=PATH)``, a table measured by
            tools/analysis/build_latency_lut.py for this space, macro, ``input_size`` and head
            (refused otherwise). With a latency table, ``constraint_range`` and every target
            (training, validation grid, tools/search.py) are in ms on the table's device; the loss,
            Cost(alpha), priors and projection are unchanged, since the table is linear in the
            one-hot encoding as the FLOPs one is. The checkpoint records the table's measured
            context, so a generator trained on one table is refused with a config naming another.
    """

    def __init__(self, supernet: dict, generator: dict, constraint_range: Sequence[float],
                 input_size: int, supernet_checkpoint: Optional[str] = None, num_priors: int = 1,
                 prior_seed: int = 0, loss_weight: float = 10.0, over_weight: float = 1.2,
                 tau: float = 5.0, gumbel_hard: bool = False, val_targets: int = 19,
                 target_sampling: str = 'batch', supernet_bn: str = 'batch',
                 tolerance: float = 0.01, cost_on: str = 'soft',
                 constraint_error: str = 'squared', constraint_samples: int = 1,
                 cost: CostCfg = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.supernet = MODELS.build(supernet)
        self.supernet_checkpoint = supernet_checkpoint
        for param in self.supernet.parameters():
            param.requires_grad_(False)
        self.space = self.supernet.backbone.space
        self.generator = MODELS.build(generator, default_args=dict(
            decision_shape=self.space.decision_shape, map_shape=self.space.map_shape,
            allowed=self.space.allowed()))
        self.input_size = int(input_size)
        self.cost_cfg = normalise_cost_cfg(cost)
        self.cost_table = build_cost_table(self.space, self.input_size,
                                           self.supernet.head.num_classes, self.cost_cfg)
        unit = self.cost_table.unit
        low, high = (float(v) for v in constraint_range)
        space_low, space_high = self.cost_table.min_cost(), self.cost_table.max_cost()
        if not space_low <= low < high <= space_high:
            raise ConstraintRangeError(
                f'constraint_range {low}..{high} {unit} must be increasing and inside the range of '
                f'the search space at {input_size}px: {space_low:.3f}..{space_high:.3f} {unit}')
        self.constraint_range = (low, high)
        if target_sampling not in ('sample', 'batch') or supernet_bn not in ('running', 'batch'):
            raise ValueError(f"target_sampling must be 'sample' or 'batch' (got "
                             f"{target_sampling!r}), supernet_bn 'running' or 'batch' (got "
                             f'{supernet_bn!r})')
        if supernet_bn == 'batch' and target_sampling != 'batch':
            raise ValueError("supernet_bn='batch' needs target_sampling='batch': batch statistics "
                             'over samples of different architectures belong to none of them')
        self.target_sampling, self.supernet_bn = target_sampling, supernet_bn
        self.loss_weight, self.over_weight, self.tau = loss_weight, over_weight, tau
        self.gumbel_hard = gumbel_hard
        self.val_targets, self.tolerance = val_targets, tolerance
        if cost_on not in ('soft', 'argmax'):
            raise ValueError(f"cost_on must be 'soft' or 'argmax', got {cost_on!r}")
        if constraint_error not in ('squared', 'absolute'):
            raise ValueError(f"constraint_error must be 'squared' or 'absolute', got "
                             f'{constraint_error!r}')
        self.cost_on, self.constraint_error = cost_on, constraint_error
        if isinstance(constraint_samples, bool) or not isinstance(constraint_samples, int) \
                or constraint_samples < 1:
            raise ValueError(f'constraint_samples must be a whole number >= 1, got '
                             f'{constraint_samples!r}')
        self.constraint_samples = constraint_samples
        keys, priors = self.sample_priors(num_priors, prior_seed)
        self.register_buffer('prior_keys', torch.tensor(keys, dtype=torch.float32))
        self.register_buffer('priors', torch.stack([self.space.encode(a) for a in priors]))
        self._grid: Optional[dict] = None         # validation grid of the current weights
        self._grid_archs: List[Any] = []
        self._grid_pending = False                # the grid is yet to be sent this evaluation

    # -- set-up ------------------------------------------------------------------------------
    def settings(self) -> Dict[str, Any]:
        """What the checkpoint must have been trained with (compared on load)."""
        own = dict(constraint_range=list(self.constraint_range), input_size=self.input_size,
                   space=self.space.settings(), num_classes=self.cost_table.num_classes)
        cost = cost_settings(self.cost_cfg)
        if cost is not None:   # FLOPs generators keep the settings they always had
            own['cost'] = cost
        encoding = getattr(self.generator, 'constraint_encoding', 'constant')
        if encoding != 'constant':   # as the cost: the authors' encoding adds no key
            own['constraint_encoding'] = encoding
        return own

    def get_extra_state(self) -> Dict[str, Any]:
        return dict(settings=self.settings())

    def set_extra_state(self, state: Dict[str, Any]) -> None:
        saved = (state or {}).get('settings')
        own = self.settings()
        if saved is not None and saved != own:
            differ = [f'{k}: checkpoint {saved.get(k)!r}, config {v!r}'
                      for k, v in own.items() if saved.get(k) != v]
            raise GeneratorSettingsError('the generator checkpoint was trained with other '
                                         'settings than this config: ' + '; '.join(differ))

    def init_weights(self) -> None:
        """Initialise the generator and load the trained supernet (the runner calls this once
        after building; a resumed or ``load_from`` checkpoint then overwrites both)."""
        self.generator.init_weights()
        if self.supernet_checkpoint is not None:
            self.load_supernet(self.supernet_checkpoint)

    def load_supernet(self, path: str) -> None:
        """Load supernet weights, with a clear error when they belong to another model."""
        checkpoint = safe_torch_load(path)
        state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
        if not isinstance(state, dict):
            raise ValueError(f'{path}: not a checkpoint (no state dict found)')
        own = self.supernet.state_dict()
        missing = [k for k in own if k not in state]
        mismatched = [f'{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(v.shape)}'
                      for k, v in own.items() if k in state and state[k].shape != v.shape]
        if missing or mismatched:
            detail = '; '.join(mismatched[:3]) or f'missing keys such as {missing[:3]}'
            raise ValueError(f'{path}: checkpoint does not fit the supernet of this config '
                             f'({len(missing)} missing, {len(mismatched)} mismatched: {detail})')
        from ...engine.checkpoint import check_trained_space   # engine imports the models
        check_trained_space(self.supernet.backbone, checkpoint, path)
        self.supernet.load_state_dict({k: state[k] for k in own})

    def sample_priors(self, num_priors: int, seed: int) -> Tuple[List[float], List[Any]]:
        """One random architecture within 2 % of each of ``num_priors`` keys evenly spaced over
        the constraint range (the middle of the range for one prior)."""
        low, high = self.constraint_range
        keys = [low + (high - low) * (i + 0.5) / num_priors for i in range(num_priors)]
        rng, priors = random.Random(seed), []
        for key in keys:
            for _ in range(100000):
                arch = self.space.sample(rng)
                if abs(self.cost_table.arch_cost(arch) - key) <= 0.02 * key:
                    priors.append(arch)
                    break
            else:
                raise ConstraintRangeError(f'no random architecture within 2% of {key:.3f} '
                                           f'{self.cost_table.unit} '
                                           'in 100000 draws; choose keys inside the space')
        return keys, priors

    def train(self, mode: bool = True) -> 'GeneratorTrainer':
        super().train(mode)
        self.supernet.eval()  # frozen: BN statistics and dropout stay as trained
        if not mode:
            self._grid_pending = True   # a new evaluation starts
        return self

    # -- generation ----------------------------------------------------------------------------
    def check_targets(self, targets: torch.Tensor, extrapolate: bool = False) -> None:
        low, high = self.constraint_range
        # Compared at the targets' precision: a range end such as 5.6 is 5.5999999 in float32.
        bounds = torch.tensor([low, high], dtype=targets.dtype)
        inside = (targets.cpu() >= bounds[0]) & (targets.cpu() <= bounds[1])
        outside = [t for t, ok in zip(targets.tolist(), inside.tolist()) if not ok]
        if outside and not extrapolate:
            raise ConstraintRangeError(
                f'constraint(s) {outside} {self.cost_table.unit} outside the trained range '
                f'{low}..{high} {self.cost_table.unit}; '
                'pass extrapolate=True (tools/search.py --extrapolate) to generate anyway')

    def prior_for(self, targets: torch.Tensor) -> torch.Tensor:
        """[B] targets (MFLOPs) -> [B, D, K] priors (the prior of the nearest key)."""
        index = (targets[:, None] - self.prior_keys[None]).abs().argmin(dim=1)
        return self.priors[index]

    def generate_logits(self, targets: torch.Tensor) -> torch.Tensor:
        """[B] targets in MFLOPs -> [B, D, K] logits (one batched forward of G)."""
        low, high = self.constraint_range
        normalised = (targets - low) / (high - low)
        return self.generator(normalised, self.prior_for(targets))

    @torch.no_grad()
    def generate(self, targets: Sequence[float], tolerance: Optional[float] = 0.01,
                 extrapolate: bool = False) -> List[Projection]:
        """One :class:`Projection` per MFLOPs target, from one batched forward: the argmax
        decoding (``raw_arch``) and, unless ``tolerance`` is None, its projection onto the budget
        within ``tolerance`` (``arch``; the raw one when None)."""
        budgets = [float(t) for t in targets]   # the projection's budgets, at full precision
        targets = torch.as_tensor(budgets, dtype=torch.float32, device=self.priors.device)
        self.check_targets(targets, extrapolate)
        logits = self.generate_logits(targets)
        if tolerance is None:
            out = []
            for row in logits:
                arch = self.space.decode(row)
                cost = self.cost_table.arch_cost(arch)
                out.append(Projection(arch, arch, 0, cost, cost))
            return out
        return [project_to_budget(row, self.cost_table, t, tolerance)
                for row, t in zip(logits, budgets)]

    # -- training and validation ---------------------------------------------------------------
    def normalisation(self) -> ContextManager:
        """How the frozen supernet's BNs normalise in training and validation forwards."""
        if self.supernet_bn == 'batch':
            return batch_statistics(self.supernet)
        return contextlib.nullcontext()

    def constraint_loss(self, cost: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        relative = (cost - target) / target
        weight = torch.where(relative > 0, self.over_weight, 1.0)
        error = relative ** 2 if self.constraint_error == 'squared' else relative.abs()
        return (weight * error).mean()

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        return self.generate_logits(inputs)

    def loss(self, inputs: torch.Tensor, data_samples: List) -> Dict[str, torch.Tensor]:
        """inputs: [B, 3, H, W] images of the held-out split."""
        self._grid = None   # the generator changes with this step
        low, high = self.constraint_range
        draws = inputs.shape[0] if self.target_sampling == 'sample' else 1
        # the first `draws` targets run the supernet; any further ones are costed only
        count = max(draws, self.constraint_samples)
        targets = low + (high - low) * torch.rand(count, device=inputs.device)
        logits = self.generate_logits(targets)
        weights = self.space.structure(F.gumbel_softmax(logits, tau=self.tau,
                                                        hard=self.gumbel_hard, dim=-1))
        cost = self.cost_table.soft_cost(self.costed_weights(logits, weights))
        with self.supernet.backbone.using(weights[:draws].expand(inputs.shape[0], -1, -1)), \
                self.normalisation():
            losses = self.supernet.head.loss(self.supernet.extract_feat(inputs), data_samples)
        return dict(loss_cls=losses['loss'],
                    loss_constraint=self.loss_weight * self.constraint_loss(cost, targets),
                    flops_rel_error=((cost - targets).abs() / targets).mean().detach())

    def costed_weights(self, logits: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """[B, D, K] weights whose cost the constraint loss takes (see ``cost_on``)."""
        if self.cost_on == 'soft':
            return weights
        probs = torch.softmax(logits, dim=-1)
        hard = F.one_hot(logits.argmax(dim=-1), probs.shape[-1]).to(probs)
        return self.space.structure(hard - probs.detach() + probs)

    def val_grid(self) -> dict:
        """The validation grid of the current generator: ``val_targets`` evenly spaced targets,
        their projected and raw architectures and FLOPs (computed once per generator state)."""
        if self._grid is None:
            low, high = self.constraint_range
            targets = torch.linspace(low, high, self.val_targets).tolist()
            projections = self.generate(targets, self.tolerance)
            self._grid = dict(
                targets=targets, flops=[p.cost for p in projections],
                raw_flops=[p.raw_cost for p in projections],
                steps=[p.steps for p in projections],
                archs=[self.space.to_text(p.arch) for p in projections],
                raw_archs=[self.space.to_text(p.raw_arch) for p in projections])
            self._grid_archs = [p.arch for p in projections]
        return self._grid

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor, data_samples: List) -> List[dict]:
        """For each sample, the prediction of every validation-grid architecture. The grid itself
        (targets, FLOPs, architectures) rides on the first output of each evaluation only, for
        :class:`GeneratorMetric`. With ``supernet_bn='batch'`` the architectures normalise with
        the statistics of the validation batch, as they did in training."""
        grid = self.val_grid()
        predictions = []
        for arch in self._grid_archs:
            with self.supernet.backbone.using(arch), self.normalisation():
                predictions.append(self.supernet.head.predict(self.supernet.extract_feat(inputs)))
        outputs = [dict(gt_label=int(sample.gt_label.item()),
                        pred_labels=[int(p[index].pred_label.item()) for p in predictions])
                   for index, sample in enumerate(data_samples)]
        if self._grid_pending and outputs:
            outputs[0]['grid'] = grid
            self._grid_pending = False
        return outputs
