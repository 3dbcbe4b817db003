"""DARTS training and architecture selection (registered in LOOPS).

* :class:`DartsTrainLoop`: mmengine's epoch loop with a second, held-out dataloader; every
  iteration hands ``dict(weights=<train batch>, arch=<held-out batch>)`` to
  :meth:`mmsgnas.models.DartsSupernet.train_step` (first-order DARTS).
* :class:`DartsSelectionLoop`: the architecture of a trained DartsSupernet, by ``magnitude``
  (DARTS: argmax alpha within the space's rules) or by ``perturbation`` (DARTS-PT, Wang et al.,
  ICLR'21: decisions in random order; for each allowed choice of the decision, that choice is
  masked and the supernet's held-out accuracy measured; the choice whose removal hurts most is
  kept; the supernet's weights are fine-tuned between decisions). The perturbation state is
  saved after every decision (JSON, plus the fine-tuned weights), so an interrupted selection
  started again with ``resume=True`` ends with the same result.
"""
import csv
import hashlib
import math
import os
import random
import time
from io import StringIO
from typing import Any, Dict, List, Optional, Union

import numpy as np
import torch
from mmengine import dist
from mmengine.model import is_model_wrapper
from mmengine.registry import OPTIMIZERS
from mmengine.runner import BaseLoop, EpochBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator

from ..models import batch_statistics, count_params
from ..registry import LOOPS
from ..space import save_subnet
from ..utils import write_text_atomic
from .search_record import Candidate, load_state, rng_from_json, rng_state_to_json, save_state

SUBNET_FILE = 'selected_subnet.yaml'
MEASUREMENTS_FILE = 'perturbation.csv'
ALPHA_FILE = 'alpha.csv'
WEIGHTS_FILE = 'selection_weights.pth'
METHODS = ('magnitude', 'perturbation')


@LOOPS.register_module()
class DartsTrainLoop(EpochBasedTrainLoop):
    """mmengine's ``EpochBasedTrainLoop`` (epochs over the train split) with a second loader of
    the held-out split (``arch_dataloader``, a config or a built loader, cycled as long as the
    train loader runs): each iteration calls ``model.train_step(dict(weights=train_batch,
    arch=held_out_batch), optim_wrapper)``. Without ``arch_dataloader`` it is the plain loop
    (the fix-alpha variant: weights only)."""

    def __init__(self, runner, dataloader, max_epochs: int,
                 arch_dataloader: Union[dict, object, None] = None, **kwargs) -> None:
        super().__init__(runner, dataloader, max_epochs, **kwargs)
        if isinstance(arch_dataloader, dict):
            arch_dataloader = runner.build_dataloader(arch_dataloader, seed=runner.seed)
        self.arch_dataloader = arch_dataloader
        self._arch_iter = None

    def run_iter(self, idx, data_batch) -> None:
        if self.arch_dataloader is None:
            return super().run_iter(idx, data_batch)
        if self._arch_iter is None:
            self._arch_iter = _InfiniteDataloaderIterator(self.arch_dataloader)
        self.runner.call_hook('before_train_iter', batch_idx=idx, data_batch=data_batch)
        outputs = self.runner.model.train_step(
            dict(weights=data_batch, arch=next(self._arch_iter)),
            optim_wrapper=self.runner.optim_wrapper)
        self.runner.call_hook('after_train_iter', batch_idx=idx, data_batch=data_batch,
                              outputs=outputs)
        self._iter += 1


def _sha1_file(path: str) -> str:
    digest = hashlib.sha1()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def _fingerprint(model: torch.nn.Module) -> str:
    from ..evaluation.subnet_evaluator import supernet_fingerprint
    return supernet_fingerprint(model)


@LOOPS.register_module()
class DartsSelectionLoop(BaseLoop):
    """Select the architecture of a trained :class:`~mmsgnas.models.DartsSupernet`.

    ``magnitude``: the argmax of alpha per decision over the allowed choices, with the space's
    structure (``space.decode``). ``perturbation`` (DARTS-PT): the decisions in a random order
    (drawn from ``seed``); at each decision ``d`` that is not already fixed by earlier ones (a
    unified-space sub-block after a decided skip is skipped whatever its choice: it is fixed
    without a measurement), every allowed choice ``k`` of ``d`` is masked in turn (its weight set
    to zero, :meth:`DartsSupernet.arch_weights`) and the supernet's top-1 on ``dataloader`` (the
    held-out split, eval mode) measured; the choice with the lowest accuracy when masked is kept
    (ties: the lower index) and ``d`` is projected to it (one-hot) in all later forwards. After
    each decision but the last the supernet's weights (not alpha) are fine-tuned for
    ``tune_epochs`` epochs (or ``tune_iters`` iterations) of ``tune_dataloader`` with the
    projected weights; the data order and augmentation of every fine-tuning phase are seeded from
    ``seed`` and the decision's index.

    Writes into ``out_dir`` (relative to the runner's work dir): ``selected_subnet.yaml`` (the
    space's subnet file; metadata: method, fix_alpha, flops, params, the held-out accuracy of the
    discrete architecture on the (fine-tuned) supernet, seed, evaluations, selection and search
    seconds), ``perturbation.csv`` (every measurement: step, decision, choice, accuracy with the
    choice masked, accuracy unmasked, chosen) or ``alpha.csv`` (magnitude: alpha and softmax of
    every choice), and for ``perturbation`` its state ``search_state.json`` + the fine-tuned
    weights ``selection_weights.pth`` after every decision.

    Args:
        runner: a runner whose model is the trained DartsSupernet.
        dataloader: the held-out split the perturbation accuracy is measured on.
        method: 'magnitude' or 'perturbation'.
        tune_dataloader: the train split for fine-tuning between decisions.
        tune_epochs / tune_iters: fine-tuning per decision (tune_iters, when given, wins).
        tune_optimizer: optimiser config of the fine-tuning (a fresh one per phase).
        tune_clip_grad: max gradient norm in fine-tuning (None: no clipping).
        eval_batches: measure on the first this many batches only (None: all).
        input_size: input resolution the FLOPs are counted at.
        seed: the random order of the decisions and the fine-tuning seeds.
        train_seconds: the supernet's training time, added to ``search_seconds``.
        stop_after: make at most this many decisions in this run, save and stop (for splitting a
            long selection into jobs; None: to the end).
        out_dir: output folder; None writes nothing (no resume).
        resume: continue from ``<out_dir>/search_state.json`` when it exists.
    """

    def __init__(self, runner, dataloader, method: str = 'perturbation',
                 tune_dataloader: Union[dict, object, None] = None, tune_epochs: float = 0,
                 tune_iters: Optional[int] = None, tune_optimizer: Optional[dict] = None,
                 tune_clip_grad: Optional[float] = 5.0, eval_batches: Optional[int] = None,
                 input_size: int = 224, num_classes: Optional[int] = None, seed: int = 0,
                 train_seconds: Optional[float] = None, stop_after: Optional[int] = None,
                 log_interval: int = 1, out_dir: Optional[str] = 'selection',
                 resume: bool = False, **unused) -> None:
        if unused:
            raise TypeError(f'DartsSelectionLoop: unexpected arguments {sorted(unused)}')
        super().__init__(runner, dataloader)
        if method not in METHODS:
            raise ValueError(f'method must be one of {METHODS}, got {method!r}')
        model = self.model
        for name in ('alpha', 'arch_weights', 'probs', 'set_override_weights'):
            if not hasattr(model, name):
                raise TypeError(f'DartsSelectionLoop needs a DartsSupernet model, got '
                                f'{type(model).__name__}')
        self.method = method
        self.space = model.space
        if isinstance(tune_dataloader, dict):
            tune_dataloader = runner.build_dataloader(tune_dataloader, seed=seed)
        self.tune_dataloader = tune_dataloader
        if tune_iters is None and tune_epochs:
            if tune_dataloader is None:
                raise ValueError('tune_epochs needs a tune_dataloader')
            tune_iters = int(math.ceil(tune_epochs * len(tune_dataloader)))
        self.tune_iters = int(tune_iters or 0)
        if self.tune_iters < 0:
            raise ValueError(f'tune_iters must be >= 0, got {tune_iters}')
        if self.tune_iters and tune_dataloader is None:
            raise ValueError('fine-tuning needs a tune_dataloader')
        self.tune_optimizer = dict(tune_optimizer or dict(type='SGD', lr=0.01, momentum=0.9,
                                                          weight_decay=3e-4))
        self.tune_clip_grad = tune_clip_grad
        self.eval_batches = eval_batches
        self.input_size = input_size
        if num_classes is None:
            num_classes = model.head.num_classes
        self.num_classes = num_classes
        self.cost_table = self.space.cost_table(input_size, num_classes)
        self.seed, self.train_seconds, self.stop_after = seed, train_seconds, stop_after
        self.log_interval = log_interval
        if out_dir is not None and runner is not None:
            out_dir = os.path.join(runner.work_dir, out_dir)
        self.out_dir, self.resume = out_dir, resume
        num_decisions = self.space.decision_shape[0]
        self.rng = random.Random(seed)
        self.order: Optional[List[int]] = None
        self.step = 0
        self.decided = [-1] * num_decisions
        self.implied = [False] * num_decisions
        self.measurements: List[Dict[str, Any]] = []
        self.evaluations = 0
        self._seconds_before = 0.0
        self._started: Optional[float] = None
        self._batches: Optional[List[dict]] = None
        self._fingerprint: Optional[str] = None
        self._weights_sha1: Optional[str] = None
        self.result: Optional[Candidate] = None

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def model(self):
        model = self._runner.model
        return model.module if is_model_wrapper(model) else model

    @property
    def logger(self):
        return self._runner.logger

    @property
    def seconds(self) -> float:
        running = 0.0 if self._started is None else time.perf_counter() - self._started
        return self._seconds_before + running

    @property
    def finished(self) -> bool:
        return self.order is not None and self.step >= len(self.order)

    def settings(self) -> dict:
        return dict(method=self.method, seed=self.seed, space=self.space.settings(),
                    fix_alpha=bool(self.model.fix_alpha), supernet=self._fingerprint,
                    tune_iters=self.tune_iters, tune_optimizer=self.tune_optimizer,
                    tune_clip_grad=self.tune_clip_grad, eval_batches=self.eval_batches,
                    data=len(self.dataloader.dataset))

    def batches(self) -> List[dict]:
        """The preprocessed held-out batches (read once)."""
        if self._batches is None:
            model = self.model
            batches = []
            for index, data in enumerate(self.dataloader):
                if self.eval_batches is not None and index >= self.eval_batches:
                    break
                batches.append(model.data_preprocessor(data, False))
            if not batches:
                raise RuntimeError('DartsSelectionLoop: the evaluation dataloader is empty')
            self._batches = batches
        return self._batches

    @torch.no_grad()
    def accuracy(self, weights: torch.Tensor) -> float:
        """Top-1 (%) of the supernet running the [D, K] ``weights`` on the held-out batches.

        BN normalises with each batch's own statistics (running statistics untouched), as
        DARTS-PT's projection does: the running averages describe the mixture the supernet was
        trained on, not a masked or projected one, and with them a discretised supernet scores
        at chance."""
        model = self.model
        model.set_override_weights(weights.detach())
        correct = total = 0
        try:
            with batch_statistics(model):
                for data in self.batches():
                    logits = model.head(model.extract_feat(data['inputs']))
                    labels = torch.cat([s.gt_label for s in data['data_samples']]).to(
                        logits.device)
                    correct += int((logits.argmax(dim=1) == labels).sum())
                    total += labels.numel()
        finally:
            model.set_override_weights(None)
        self.evaluations += 1
        return 100.0 * correct / total

    def current_probs(self) -> torch.Tensor:
        return self.model.probs(self.decided).detach()

    def fixed_by_others(self, decision: int, probs: torch.Tensor) -> Optional[int]:
        """The choice ``decision`` effectively has whatever it is set to (when the structure makes
        all its choices run the same weights, e.g. after a decided skip), else None."""
        allowed = torch.nonzero(self.model.allowed_choices[decision]).flatten().tolist()
        outcomes = []
        for k in allowed:
            trial = probs.clone()
            trial[decision] = 0
            trial[decision, k] = 1
            outcomes.append(self.space.structure(trial))
        if all(torch.equal(outcomes[0], o) for o in outcomes[1:]):
            row = outcomes[0][decision]
            return max(allowed, key=lambda k: (float(row[k]), -k))
        return None

    # -- fine-tuning -----------------------------------------------------------------------------
    def _seed_phase(self, step: int) -> None:
        phase_seed = (self.seed * 1000003 + step) % (2 ** 31)
        random.seed(phase_seed)
        np.random.seed(phase_seed)
        torch.manual_seed(phase_seed)

    def fine_tune(self, step: int) -> Optional[float]:
        """Train the weights (alpha fixed, decided decisions projected) for ``tune_iters``
        iterations; returns the mean loss."""
        if not self.tune_iters:
            return None
        model = self.model
        self._seed_phase(step)
        params = model.weight_parameters()
        optimizer = OPTIMIZERS.build(dict(self.tune_optimizer, params=params))
        weights = model.arch_weights(self.decided).detach()
        model.train()
        model.set_override_weights(weights)
        losses, done, epoch = [], 0, 0
        loader = self.tune_dataloader
        try:
            while done < self.tune_iters:
                sampler = getattr(loader, 'sampler', None)
                if hasattr(sampler, 'set_epoch'):
                    sampler.set_epoch(step * 1000 + epoch)
                for data in loader:
                    batch = model.data_preprocessor(data, True)
                    loss = model.loss(batch['inputs'], batch['data_samples'])
                    total = sum(v for k, v in loss.items() if 'loss' in k)
                    optimizer.zero_grad()
                    total.backward()
                    if self.tune_clip_grad:
                        torch.nn.utils.clip_grad_norm_(params, self.tune_clip_grad)
                    optimizer.step()
                    losses.append(float(total.detach()))
                    done += 1
                    if done >= self.tune_iters:
                        break
                epoch += 1
        finally:
            model.set_override_weights(None)
            optimizer.zero_grad()
        return sum(losses) / len(losses)

    # -- state -----------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return dict(settings=self.settings(), rng=rng_state_to_json(self.rng), order=self.order,
                    step=self.step, decided=list(self.decided), implied=list(self.implied),
                    measurements=self.measurements, evaluations=self.evaluations,
                    seconds=self.seconds, weights_sha1=self._weights_sha1)

    def save(self) -> None:
        """The fine-tuned weights (atomically), then the JSON state that names their hash."""
        if self.out_dir is None or not dist.is_main_process():
            return
        os.makedirs(self.out_dir, exist_ok=True)
        path = os.path.join(self.out_dir, WEIGHTS_FILE)
        tmp = path + '.tmp'
        torch.save(dict(state_dict=self.model.state_dict()), tmp)
        os.replace(tmp, path)
        self._weights_sha1 = _sha1_file(path)
        save_state(self.out_dir, self.state_dict())

    def load(self, state: dict) -> None:
        path = os.path.join(self.out_dir, WEIGHTS_FILE)
        if not os.path.isfile(path) or _sha1_file(path) != state.get('weights_sha1'):
            raise ValueError(f'{path}: missing or not the weights the selection state '
                             f'{self.out_dir}/search_state.json was saved with; start again '
                             'without resume')
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
        self.model.load_state_dict(checkpoint['state_dict'], strict=True)
        self._weights_sha1 = state['weights_sha1']
        self.rng = rng_from_json(state['rng'])
        self.order = None if state['order'] is None else [int(d) for d in state['order']]
        self.step = int(state['step'])
        self.decided = [int(c) for c in state['decided']]
        self.implied = [bool(v) for v in state['implied']]
        self.measurements = list(state['measurements'])
        self.evaluations = int(state['evaluations'])
        self._seconds_before = float(state['seconds'])

    # -- selection -------------------------------------------------------------------------------
    def decide(self, decision: int) -> None:
        """One DARTS-PT decision: measure every allowed choice masked, keep the most needed."""
        probs = self.current_probs()
        fixed = self.fixed_by_others(decision, probs)
        if fixed is not None:
            self.decided[decision], self.implied[decision] = fixed, True
            return
        model = self.model
        base = self.accuracy(model.arch_weights(probs=probs))
        allowed = torch.nonzero(model.allowed_choices[decision]).flatten().tolist()
        scores = {k: self.accuracy(model.arch_weights(probs=probs, mask=(decision, k)))
                  for k in allowed}
        chosen = min(allowed, key=lambda k: (scores[k], k))
        for k in allowed:
            self.measurements.append(dict(
                step=self.step, decision=decision, choice=k, name=self.space.choice_names[k],
                masked_accuracy=round(scores[k], 4), base_accuracy=round(base, 4),
                drop=round(base - scores[k], 4), chosen=k == chosen))
        self.decided[decision] = chosen
        if self.log_interval and (self.step + 1) % self.log_interval == 0:
            self.logger.info(
                f'[darts-pt] step {self.step + 1}/{len(self.order)}: decision {decision} -> '
                f'{self.space.choice_names[chosen]} (accuracy {base:.2f} %; masked: ' +
                ', '.join(f'{self.space.choice_names[k]} {scores[k]:.2f}' for k in allowed) + ')')

    def perturbation(self) -> bool:
        """Run (or continue) DARTS-PT; False when stopped by ``stop_after``."""
        if self.order is None:
            self.order = list(range(self.space.decision_shape[0]))
            self.rng.shuffle(self.order)
        made = 0
        while self.step < len(self.order):
            if self.stop_after is not None and made >= self.stop_after:
                return False
            decision = self.order[self.step]
            self.decide(decision)
            implied = self.implied[decision]
            self.step += 1
            if not implied:
                made += 1
                if self.step < len(self.order) and self.tune_iters:
                    loss = self.fine_tune(self.step)
                    self.logger.info(f'[darts-pt] fine-tuned {self.tune_iters} iterations after '
                                     f'step {self.step}: mean loss {loss:.4f}')
                self.save()
        self.save()
        return True

    def run(self) -> Optional[Candidate]:
        """Select; write the subnet file and the CSV. Returns the selected architecture as a
        :class:`Candidate` (None when stopped early by ``stop_after``)."""
        model = self.model
        self._fingerprint = _fingerprint(model)
        self._weights_sha1 = None
        self.batches()
        if self.method == 'perturbation' and self.resume and self.out_dir is not None:
            state = load_state(self.out_dir, self.settings())
            if state is not None:
                self.load(state)
                self.logger.info(f'[darts-pt] resumed from {self.out_dir} at step {self.step}')
        self._started = time.perf_counter()
        if self.method == 'magnitude':
            arch = model.decode()
            onehot = self.space.encode(arch)
        else:
            if not self.perturbation():
                self.logger.info(f'[darts-pt] stopped after step {self.step} (stop_after); '
                                 'resume to continue')
                return None
            arch = self.space.from_choices(self.decided)
            onehot = self.space.encode(arch)
        accuracy = self.accuracy(onehot.to(model.alpha.device))
        seconds = self.seconds
        flops = self.cost_table.arch_cost(arch)
        params = count_params(self.space, arch, self.num_classes)
        source = 'darts' if self.method == 'magnitude' else 'darts-pt'
        if model.fix_alpha:
            source = 'fix-alpha-' + source
        self.result = Candidate(arch, flops, params, accuracy,
                                dict(method=self.method, fix_alpha=bool(model.fix_alpha)))
        if self.out_dir is not None and dist.is_main_process():
            metadata = dict(
                source=source, method=self.method, fix_alpha=bool(model.fix_alpha),
                flops=round(flops, 4), params=round(params, 4), accuracy=round(accuracy, 3),
                seed=self.seed, evaluated=self.evaluations,
                selection_seconds=round(seconds, 1),
                train_seconds=self.train_seconds,
                search_seconds=round(seconds + (self.train_seconds or 0.0), 1))
            save_subnet(os.path.join(self.out_dir, SUBNET_FILE), arch, metadata, self.space)
            if self.method == 'magnitude':
                self._write_alpha()
            else:
                self._write_measurements()
        self.logger.info(f'[{source}] selected {self.space.to_text(arch)}: {flops:.3f} '
                         f'{self.cost_table.unit}, supernet accuracy {accuracy:.2f} %, '
                         f'{seconds:.1f} s')
        return self.result

    # -- outputs ---------------------------------------------------------------------------------
    def _write_measurements(self) -> None:
        fields = ['step', 'decision', 'choice', 'name', 'masked_accuracy', 'base_accuracy',
                  'drop', 'chosen']
        text = StringIO()
        writer = csv.DictWriter(text, fieldnames=fields)
        writer.writeheader()
        writer.writerows(self.measurements)
        write_text_atomic(os.path.join(self.out_dir, MEASUREMENTS_FILE), text.getvalue())

    def _write_alpha(self) -> None:
        model = self.model
        alpha = model.alpha.detach()
        probs = model.probs().detach()
        arch_choices = self.space.choices(self.result.arch)
        text = StringIO()
        writer = csv.writer(text)
        writer.writerow(['decision', 'choice', 'name', 'alpha', 'prob', 'chosen'])
        allowed = model.allowed_choices
        for d in range(alpha.shape[0]):
            for k in range(alpha.shape[1]):
                if bool(allowed[d, k]):
                    writer.writerow([d, k, self.space.choice_names[k], f'{float(alpha[d, k]):.6g}',
                                     f'{float(probs[d, k]):.6g}', arch_choices[d] == k])
        write_text_atomic(os.path.join(self.out_dir, ALPHA_FILE), text.getvalue())

    # -- what tools/search.py and the harness read ------------------------------------------------
    @property
    def best(self) -> Optional[Candidate]:
        return self.result

    @property
    def candidates(self) -> List[Candidate]:
        return [] if self.result is None else [self.result]

    @property
    def queries(self) -> int:
        return self.evaluations
