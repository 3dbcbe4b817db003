"""Methods of the comparison harness: each gives, per budget and seed, the architecture it chose,
its search time and its search cost in queries."""
import copy
import glob
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence

from mmengine.config import Config

from ...registry import TASK_UTILS
from ...space import load_subnet
from ...utils import resolve_config_path

LOG_TIME = re.compile(r'^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) - mmengine')


@dataclass
class Choice:
    """One method's result at one budget and seed."""
    arch: Any
    seconds: float                    # search time of this choice (s)
    queries: Optional[int] = None     # architectures evaluated to make it
    search_score: Optional[float] = None   # the score the method chose it by
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Skipped:
    """A budget a method cannot serve (e.g. outside a generator's trained range), and why."""
    reason: str


def training_seconds(work_dir: str) -> Optional[float]:
    """Wall time of the training runs logged in ``work_dir`` (first to last log line of each
    ``<timestamp>/<timestamp>.log`` that logs training iterations; resumed runs add up; the logs
    of searches run in the same folder do not count), None when there is no such log."""
    total, found = 0.0, False
    for log in glob.glob(os.path.join(work_dir, '*', '*.log')):
        with open(log) as f:
            lines = f.readlines()
        if not any('Epoch(train)' in line or 'Iter(train)' in line for line in lines):
            continue
        stamps = [m.group(1) for m in map(LOG_TIME.match, lines) if m]
        if len(stamps) >= 2:
            first, last = (datetime.strptime(s, '%Y/%m/%d %H:%M:%S')
                           for s in (stamps[0], stamps[-1]))
            total += (last - first).total_seconds()
            found = True
    return total if found else None


@TASK_UTILS.register_module()
class GeneratorMethod:
    """SGNAS: the architectures a trained generator gives for every budget in one forward pass.

    Args:
        config: the generator-training config.
        checkpoint: the generator checkpoint; ``{seed}`` in the path is replaced by the seed, so
            generators trained with several seeds compare over seeds.
        tolerance: the projection onto the budget (None: the generator's argmax alone).
        train_seconds: the generator's training time; by default read from the logs in the
            checkpoint's folder. Its search time is training + generation, for all budgets at once.
        outside_range: what a budget outside the generator's trained range gets: 'error' (the
            generator refuses it) or 'skip' (no choice at that budget, the reason in the
            outputs; for budgets the comparison does not pick, such as the costs other methods
            landed on).
    """
    kind = 'generator'

    def __init__(self, config: str, checkpoint: str, tolerance: Optional[float] = 0.01,
                 train_seconds: Optional[float] = None, name: str = 'generator',
                 outside_range: str = 'error') -> None:
        if outside_range not in ('error', 'skip'):
            raise ValueError(f"{name}: outside_range must be 'error' or 'skip', got "
                             f'{outside_range!r}')
        config = resolve_config_path(config)
        self.config, self.checkpoint, self.tolerance = config, checkpoint, tolerance
        self.train_seconds, self.name, self.outside_range = train_seconds, name, outside_range
        self._models: Dict[int, Any] = {}

    def model(self, seed: int):
        if seed not in self._models:
            from ...engine import load_generator
            self._models[seed] = load_generator(self.config, self.checkpoint.format(seed=seed))
        return self._models[seed]

    def constraint_range(self, seed: int):
        return self.model(seed).constraint_range

    def choose(self, budgets: Sequence[float], seed: int, out_dir: str) -> List[Any]:
        """A :class:`Choice` per budget (:class:`Skipped` outside the trained range when
        ``outside_range='skip'``)."""
        from ...engine import generate_subnets
        model = self.model(seed)
        low, high = model.constraint_range
        def serves(budget: float) -> bool:
            return self.outside_range == 'error' or low <= budget <= high

        served = [b for b in budgets if serves(b)]
        subnets, seconds = generate_subnets(model, served, self.tolerance,
                                            extrapolate=False) if served else ([], 0.0)
        train = self.train_seconds
        if train is None:
            train = training_seconds(os.path.dirname(os.path.abspath(
                self.checkpoint.format(seed=seed))))
        total = (train or 0.0) + seconds
        generated = iter(subnets)
        choices: List[Any] = []
        for budget in budgets:
            if serves(budget):
                s = next(generated)
                choices.append(Choice(s.arch, total, None, None, dict(
                    raw_arch=model.space.to_text(s.raw_arch), raw_flops=s.raw_flops,
                    projection_steps=s.steps, generation_seconds=seconds,
                    training_seconds=train, shared_time=True)))
            else:
                choices.append(Skipped(f'{budget:g} {model.cost_table.unit} is outside the '
                                       f'trained range {low:g}..{high:g}'))
        return choices

    def settings(self) -> Dict[str, Any]:
        return dict(kind=self.kind, config=self.config, checkpoint=self.checkpoint,
                    tolerance=self.tolerance, outside_range=self.outside_range)


@TASK_UTILS.register_module()
class SearchLoopMethod:
    """A search loop (random search, evolution, REA, WeakNAS, ...) run per budget and seed.

    Args:
        config: a search config (``search_cfg``; in supernet mode its model is the supernet).
        checkpoint: the trained supernet (supernet mode); None in query mode.
        overrides: changes to ``search_cfg`` (e.g. ``num_samples=100``).
        name: the method's name in the outputs.
    """
    kind = 'loop'

    def __init__(self, config: str, name: str, checkpoint: Optional[str] = None,
                 overrides: Optional[dict] = None) -> None:
        config = resolve_config_path(config)
        self.config, self.checkpoint, self.name = config, checkpoint, name
        self.overrides = dict(overrides or {})
        self.cfg = Config.fromfile(config)
        if self.cfg.get('search_cfg') is None:
            raise ValueError(f'{config} has no search_cfg')
        self._runner = None

    @property
    def query_mode(self) -> bool:
        return self.cfg.search_cfg.get('evaluator') is not None

    def runner(self, out_dir: str):
        if self.query_mode:
            return None
        if self._runner is None:
            from ...engine import build_search_runner
            if self.checkpoint is None:
                raise ValueError(f'{self.name}: a supernet-mode search needs the supernet '
                                 'checkpoint')
            self._runner = build_search_runner(self.cfg, self.checkpoint, out_dir)
        return self._runner

    def choose(self, budgets: Sequence[Optional[float]], seed: int, out_dir: str) -> List[Choice]:
        from ...engine import run_search_loop
        choices = []
        for index, budget in enumerate(budgets):
            folder = os.path.join(out_dir, f'budget{index}_seed{seed}')
            overrides = dict(self.overrides, seed=seed, flops_budget=budget,
                             out_dir=folder if self.query_mode else os.path.relpath(
                                 folder, out_dir))
            loop = run_search_loop(self.runner(out_dir), self.cfg.search_cfg, resume=True,
                                   scope=self.cfg.get('default_scope'), **overrides)
            best = loop.best
            history = [c.accuracy for c in loop.candidates]
            choices.append(Choice(best.arch, loop.seconds, loop.queries, best.accuracy,
                                  dict(history=history)))
        return choices

    def settings(self) -> Dict[str, Any]:
        return dict(kind=self.kind, config=self.config, checkpoint=self.checkpoint,
                    overrides=copy.deepcopy(self.overrides))


@TASK_UTILS.register_module()
class SubnetFilesMethod:
    """Architectures another tool chose (e.g. a Single-Path NAS or DARTS-PT run), read from subnet
    files: ``pattern`` with ``{budget}`` (the budget's index) and ``{seed}``; the search time
    comes from the file's ``search_seconds`` metadata.

    ``train_dir`` (same fields): where the supernet the choice was selected from was trained,
    for a selection that ran apart from its training (DARTS / DARTS-PT through
    ``tools/search.py``): the training's wall time from its logs is added to the search time
    when the file does not hold it (``train_seconds`` empty)."""
    kind = 'files'

    def __init__(self, pattern: str, name: str, train_dir: Optional[str] = None) -> None:
        self.pattern, self.name, self.train_dir = pattern, name, train_dir

    def path(self, index: int, seed: int) -> str:
        """The subnet file of budget ``index`` and ``seed``."""
        return self.pattern.format(budget=index, seed=seed)

    def choose(self, budgets: Sequence[Optional[float]], seed: int, out_dir: str,
               space: Any = None) -> List[Choice]:
        choices = []
        for index, _ in enumerate(budgets):
            path = self.path(index, seed)
            arch, meta = load_subnet(path, space)
            seconds = float(meta.get('search_seconds') or 0.0)
            extra: Dict[str, Any] = dict(file=path)
            if self.train_dir is not None and meta.get('train_seconds') is None:
                folder = self.train_dir.format(budget=index, seed=seed)
                train = training_seconds(folder)
                if train is None:
                    raise FileNotFoundError(f'{self.name}: no training log in {folder} (the '
                                            f'train_dir of {path})')
                seconds += train
                extra.update(training_seconds=train)
            choices.append(Choice(arch, seconds, meta.get('evaluated'), meta.get('accuracy'),
                                  extra))
        return choices

    def settings(self) -> Dict[str, Any]:
        return dict(kind=self.kind, pattern=self.pattern, train_dir=self.train_dir)
