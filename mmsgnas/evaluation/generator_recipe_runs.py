"""Running the generator-recipe study (``tools/analysis/compare_generator_recipes.py``): per recipe
and seed a generator trained through ``tools/train.py`` on one frozen supernet (resumable; a
finished run is skipped), its raw and projected architectures over the trained range, and the raw
ones at a few targets scored against one fixed random cloud. The figures are computed by
:mod:`mmsgnas.evaluation.generator_recipe_study`."""
import json
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ..utils import write_text_atomic
from ..utils.tool_runs import read_json, train_until
from .generator_recipe_study import markdown_report, run_figures, scored_indices, summarise
from .kernel_order_study import reference_architectures


@dataclass
class RecipeStudySettings:
    """What the study trains and scores (the tool's options; see its docstring).

    Attributes:
        recipes: name -> changes to the generator config (``{'model.cost_on': 'argmax'}``
            as ``--cfg-options`` names them; any value, lists of dicts included).
        seeds: generator training seeds.
        supernet_checkpoint: the frozen supernet (None: train ``supernet_config`` with seed 0
            into ``<out_dir>/supernet`` first).
        supernet_config, generator_config, judge_config: the configs (the judge's: a search
            config whose ``test_dataloader`` and ``search_cfg.recal_dataloader`` score a network).
        num_targets: evenly spaced targets over the generator's range.
        num_scored: of them, how many raw networks are scored (evenly spread, ends included).
        num_random: the random cloud (drawn once with seed 0, within the generator's range).
        split: the judge's split.
        out_dir: where runs, caches and the report go.
        baseline: the recipe the others are marked against (None: no marks).
    """
    recipes: Dict[str, Dict[str, Any]]
    seeds: Sequence[int] = (0, 1, 2)
    supernet_checkpoint: Optional[str] = None
    supernet_config: str = 'configs/demo/supernet_digits.py'
    generator_config: str = 'configs/demo/generator_digits.py'
    judge_config: str = 'configs/demo/random_search_digits.py'
    num_targets: int = 19
    num_scored: int = 5
    num_random: int = 60
    split: str = 'test'
    out_dir: str = 'work_dirs/generator_recipes'
    baseline: Optional[str] = 'paper'

    def __post_init__(self) -> None:
        if not self.recipes:
            raise ValueError('no recipe to run')
        bad = [n for n in self.recipes if not n or '/' in n or n.startswith('.')]
        if bad:
            raise ValueError(f'recipe names must be plain folder names, got {bad}')
        scored_indices(self.num_targets, self.num_scored)   # validates
        if self.num_random < 3:
            raise ValueError('num_random must be at least 3')


def generator_config(settings: RecipeStudySettings, options: Dict[str, Any]):
    from mmengine.config import Config
    cfg = Config.fromfile(settings.generator_config)
    if options:
        cfg.merge_from_dict(dict(options))
    return cfg


def supernet_checkpoint(settings: RecipeStudySettings) -> str:
    if settings.supernet_checkpoint is not None:
        if not os.path.isfile(settings.supernet_checkpoint):
            raise FileNotFoundError(f'supernet checkpoint not found: '
                                    f'{settings.supernet_checkpoint}')
        return settings.supernet_checkpoint
    from mmengine.config import Config
    epochs = Config.fromfile(settings.supernet_config).train_cfg.max_epochs
    work_dir = os.path.join(settings.out_dir, 'supernet')
    return train_until(settings.supernet_config, work_dir, f'epoch_{epochs}.pth',
                       {'randomness.seed': 0}, f'{work_dir}.log')


def train_generator(settings: RecipeStudySettings, recipe: str, seed: int, supernet: str) -> str:
    """Train (or resume) one run from the recipe's config, written to ``<out_dir>/<recipe>/
    config.py`` (a recipe may change any config value, e.g. the list of ``param_scheduler``, which
    ``--cfg-options`` cannot express); returns its last checkpoint."""
    cfg = generator_config(settings, settings.recipes[recipe])
    config_path = os.path.join(settings.out_dir, recipe, 'config.py')
    os.makedirs(os.path.dirname(config_path), exist_ok=True)
    write_text_atomic(config_path, cfg.pretty_text)
    work_dir = os.path.join(settings.out_dir, recipe, f'seed_{seed}')
    return train_until(config_path, work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth',
                       {'randomness.seed': seed, 'model.supernet_checkpoint': supernet},
                       f'{work_dir}.log')


class RandomCloud:
    """The fixed random networks within the generator's range, scored once on the supernet
    (cached in ``<out_dir>/random_cloud.json``, keyed by supernet, judge and networks)."""

    def __init__(self, settings: RecipeStudySettings, judge, table, cost_range) -> None:
        low, high = cost_range
        pool = reference_architectures(judge.space, 50 * settings.num_random, seed=0)
        archs = [a for a in pool if low <= table.arch_cost(a) <= high][:settings.num_random]
        if len(archs) < settings.num_random:
            raise ValueError(f'only {len(archs)} of {len(pool)} random architectures fall in '
                             f'{low}..{high}; lower --num-random')
        self.texts = [judge.space.to_text(a) for a in archs]
        self.costs = [table.arch_cost(a) for a in archs]
        path = os.path.join(settings.out_dir, 'random_cloud.json')
        key = dict(supernet=judge.checkpoint, judge=judge.settings(), networks=self.texts)
        cached = read_json(path)
        if cached is not None and cached.get('key') == json.loads(json.dumps(key, default=str)):
            self.scores = cached['scores']
            return
        self.scores = []
        for index, arch in enumerate(archs):
            self.scores.append(judge(arch))
            print(f'random {index:3d}: {self.costs[index]:.3f} MFLOPs, top-1 '
                  f'{self.scores[-1]:.2f}', flush=True)
        write_text_atomic(path, json.dumps(dict(key=key, costs=self.costs, scores=self.scores),
                                           indent=1, default=str))


def score_run(settings: RecipeStudySettings, recipe: str, checkpoint: str, judge,
              cloud: RandomCloud) -> Dict[str, Any]:
    """The run's generation (raw and projected) and its scored raw networks (cached in the run's
    ``scores.json``, keyed by its checkpoint and the judge)."""
    from ..engine import generate_subnets, load_generator
    path = os.path.join(os.path.dirname(checkpoint), 'scores.json')
    key = json.loads(json.dumps(dict(checkpoint=checkpoint, judge=judge.settings()), default=str))
    cached = read_json(path)
    if cached is not None and cached.get('key') == key:
        return cached
    model = load_generator(generator_config(settings, settings.recipes[recipe]), checkpoint)
    low, high = model.constraint_range
    targets = [float(t) for t in np.linspace(low, high, settings.num_targets)]
    subnets, _ = generate_subnets(model, targets, tolerance=model.tolerance)
    raw_texts = [model.space.to_text(s.raw_arch) for s in subnets]
    scored = []
    for index in scored_indices(settings.num_targets, settings.num_scored):
        arch = judge.space.from_text(raw_texts[index])
        scored.append(dict(target=targets[index], flops=subnets[index].raw_flops,
                           score=judge(arch), arch=raw_texts[index]))
    result = dict(key=key, targets=targets, raw_costs=[s.raw_flops for s in subnets],
                  raw_archs=raw_texts, costs=[s.flops for s in subnets],
                  steps=[s.steps for s in subnets], scored=scored)
    write_text_atomic(path, json.dumps(result, indent=1))
    return result


def run_study(settings: RecipeStudySettings) -> Dict[str, Any]:
    """Train (or resume) every run, score it and write ``study.json`` and ``study.md`` in
    ``settings.out_dir``; returns the summary."""
    from .harness.judges import SupernetJudge
    supernet = supernet_checkpoint(settings)
    checkpoints = {recipe: {seed: train_generator(settings, recipe, seed, supernet)
                            for seed in settings.seeds} for recipe in settings.recipes}
    judge = SupernetJudge(settings.judge_config, supernet, split=settings.split)
    first = generator_config(settings, {})
    table = judge.space.cost_table(first.model.input_size, first.model.supernet.head.num_classes)
    cloud = RandomCloud(settings, judge, table, first.model.constraint_range)
    runs: Dict[str, Dict[int, Dict[str, float]]] = {}
    details: Dict[str, Dict[int, Any]] = {}
    for recipe, seeds in checkpoints.items():
        runs[recipe], details[recipe] = {}, {}
        for seed, checkpoint in seeds.items():
            result = score_run(settings, recipe, checkpoint, judge, cloud)
            runs[recipe][seed] = run_figures(result['targets'], result['raw_costs'],
                                             result['raw_archs'], result['costs'],
                                             result['steps'], cloud.costs, cloud.scores,
                                             result['scored'])
            details[recipe][seed] = result
    summary = summarise(runs)
    report = markdown_report(summary, settings.recipes, settings.num_targets,
                             settings.num_random, settings.split, settings.baseline)
    cloud_line = (f'\nRandom cloud: {len(cloud.scores)} networks, top-1 '
                  f'{np.mean(cloud.scores):.2f} ± {np.std(cloud.scores):.2f} '
                  f'({min(cloud.scores):.2f}..{max(cloud.scores):.2f}) on {judge.num_images} '
                  f'{settings.split} images; supernet {supernet}.\n')
    report += cloud_line
    write_text_atomic(os.path.join(settings.out_dir, 'study.json'), json.dumps(
        dict(summary=summary, runs=runs, details=details, recipes=settings.recipes,
             supernet=supernet, random_cloud=dict(costs=cloud.costs, scores=cloud.scores)),
        indent=1, default=str))
    write_text_atomic(os.path.join(settings.out_dir, 'study.md'), report)
    print(report, flush=True)
    return summary


def parse_recipe(words: List[str]) -> tuple:
    """``['name', 'key=value', ...]`` -> (name, options), values parsed as ``--cfg-options``
    parses them (numbers, booleans, lists)."""
    from mmengine.config import DictAction
    if not words:
        raise ValueError('--recipe needs a name')
    name, pairs = words[0], words[1:]
    bad = [p for p in pairs if '=' not in p]
    if bad:
        raise ValueError(f'--recipe {name}: expected KEY=VALUE, got {bad}')
    options = {}
    for pair in pairs:
        key, value = pair.split('=', 1)
        options[key] = DictAction._parse_iterable(value)
    return name, options
