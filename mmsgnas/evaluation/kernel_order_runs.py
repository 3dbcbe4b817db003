"""Running the kernel-order study (``tools/analysis/compare_kernel_order.py``): per seed and order
a Fashion-MNIST supernet and generator trained through ``tools/train.py`` (resumable steps), scored
on one fixed set of stand-alone networks; optionally those networks trained from scratch. The
figures themselves are computed by :mod:`mmsgnas.evaluation.kernel_order_study`."""
import json
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..utils import write_text_atomic
from ..utils.tool_runs import train_until
from .harness.methods import training_seconds
from .harness.scratch import short_recipe_options, train_subnet
from .kernel_order_study import (ORDERS, markdown_report, reference_architectures, run_summary,
                                 summarise_study)

SUPERNET_CONFIG = 'configs/fmnist/supernet_fmnist.py'
#: the study was measured with the paper's separate kernel weights (the Fashion-MNIST configs
#: have nested ones since); kept so that its command reproduces its table
KERNEL_WEIGHTS = 'separate'
GENERATOR_CONFIG = 'configs/fmnist/generator_fmnist.py'
JUDGE_CONFIG = 'configs/fmnist/random_search_fmnist.py'
SCRATCH_CONFIG = 'configs/fmnist/retrain_fmnist.py'
GENERATOR_EPOCHS = 10   # as configs/fmnist/generator_fmnist.py (its temperature decays per epoch)
NUM_TARGETS = 19
SCORED_TARGETS = (0, 4, 9, 14, 18)


@dataclass
class StudySettings:
    """What the study trains and scores (the tool's options; see its docstring).

    Attributes:
        seeds: training seeds of the supernets.
        generator_seeds: seeds whose runs also train a generator (None: all).
        orders: kernel orders compared.
        supernet_epochs: supernet epochs (>= 2: one warm-up epoch, then cosine).
        generator_images: held-out images the generator trains on.
        num_random: fixed random networks scored on every supernet.
        scratch: the first N of them also trained from scratch (0: none).
        scratch_epochs, scratch_images, scratch_seeds: the from-scratch recipe.
        out_dir: where runs, caches and the report go.
    """
    seeds: Sequence[int] = (0, 1, 2)
    generator_seeds: Optional[Sequence[int]] = None
    orders: Sequence[str] = ORDERS
    supernet_epochs: int = 3
    generator_images: int = 3200
    num_random: int = 40
    scratch: int = 0
    scratch_epochs: int = 3
    scratch_images: Optional[int] = None
    scratch_seeds: Sequence[int] = field(default_factory=lambda: [0])
    out_dir: str = 'work_dirs/kernel_order'

    def __post_init__(self) -> None:
        if self.supernet_epochs < 2 or self.scratch_epochs < 2:
            raise ValueError('supernet_epochs and scratch_epochs must be at least 2 (one warm-up '
                             'epoch, then cosine)')
        if self.scratch and not 3 <= self.scratch <= self.num_random:
            raise ValueError(f'scratch must be 0 or within 3..num_random ({self.num_random})')
        unknown = [o for o in self.orders if o not in ORDERS]
        if unknown:
            raise ValueError(f'unknown kernel orders {unknown}; choose from {ORDERS}')


def train_run(settings: StudySettings, order: str, seed: int,
              with_generator: bool = True) -> Dict[str, str]:
    run_dir = os.path.join(settings.out_dir, f'{order}_s{seed}')
    epochs = settings.supernet_epochs
    supernet = train_until(SUPERNET_CONFIG, os.path.join(run_dir, 'supernet'),
                           f'epoch_{epochs}.pth',
                           {'randomness.seed': seed, 'model.backbone.kernel_order': order,
                            'model.backbone.kernel_weights': KERNEL_WEIGHTS,
                            'train_cfg.max_epochs': epochs, 'param_scheduler.1.T_max': epochs - 1,
                            'param_scheduler.1.end': epochs}, f'{run_dir}.supernet.log')
    if not with_generator:
        return dict(dir=run_dir, supernet=supernet, generator=None)
    generator = train_until(GENERATOR_CONFIG, os.path.join(run_dir, 'generator'),
                            f'epoch_{GENERATOR_EPOCHS}.pth',
                            {'randomness.seed': seed, 'model.supernet.backbone.kernel_order': order,
                             'model.supernet.backbone.kernel_weights': KERNEL_WEIGHTS,
                             'model.supernet_checkpoint': supernet,
                             'train_dataloader.dataset.indices': settings.generator_images},
                            f'{run_dir}.generator.log')
    return dict(dir=run_dir, supernet=supernet, generator=generator)


def scratch_recipe(settings: StudySettings) -> Tuple[str, Dict[str, object]]:
    """The from-scratch recipe's folder name and ``--cfg-options`` (besides subnet and seed)."""
    epochs, images = settings.scratch_epochs, settings.scratch_images
    return (f'epochs_{epochs}' + ('' if images is None else f'_images_{images}'),
            short_recipe_options(epochs, images))


def train_scratch(settings: StudySettings, reference: list,
                  reference_space) -> Tuple[List[float], List[float]]:
    """Test top-1 (%) of the first ``settings.scratch`` reference networks, each trained from scratch
    with the same short recipe (seed ``settings.scratch_seeds[0]``) in ``<out_dir>/scratch/net_<i>``,
    and of the first network under every ``settings.scratch_seeds`` (the recipe's seed noise)."""
    name, options = scratch_recipe(settings)

    def one(index: int, seed: int) -> float:
        return train_subnet(
            SCRATCH_CONFIG, os.path.join(settings.out_dir, 'scratch', f'net_{index:02d}'),
            f'{name}_seed{seed}', reference[index], reference_space,
            f'reference network {index}',
            f'kernel-order study reference network {index} (positional sampling, seed 0)',
            options, seed)

    first_seed = settings.scratch_seeds[0]
    scores = [one(index, first_seed) for index in range(settings.scratch)]
    seed_scores = [scores[0]] + [one(0, seed) for seed in settings.scratch_seeds[1:]]
    return scores, seed_scores


def score_run(paths: Dict[str, Optional[str]], order: str, reference: list,
              reference_space) -> dict:
    """Scores of the reference networks and, when the run has a generator, of its raw networks
    (cached in scores.json, per part: a generator added later is scored without rescoring the
    reference networks)."""
    from mmengine.config import Config

    from ..engine import generate_subnets, load_generator
    from .harness.judges import SupernetJudge
    cache_path = os.path.join(paths['dir'], 'scores.json')
    texts = [reference_space.to_text(a) for a in reference]
    cached = {}
    if os.path.isfile(cache_path):
        with open(cache_path) as f:
            cached = json.load(f)
        if cached.get('reference') != texts or cached.get('supernet') != paths['supernet']:
            cached = {}
    if cached and cached.get('generator') == paths['generator']:
        return cached
    judge = SupernetJudge(JUDGE_CONFIG, paths['supernet'], split='test',
                          cfg_options={'model.backbone.kernel_order': order,
                                       'model.backbone.kernel_weights': KERNEL_WEIGHTS})
    judge_cfg = Config.fromfile(JUDGE_CONFIG)
    table = judge.space.cost_table(judge_cfg.search_cfg.input_size,
                                   judge_cfg.model.head.num_classes)
    archs = [judge.space.from_text(t) for t in texts]
    subnets = None
    if paths['generator'] is not None:   # generate first: a broken generator fails fast
        cfg = Config.fromfile(GENERATOR_CONFIG)
        cfg.merge_from_dict({'model.supernet.backbone.kernel_order': order,
                            'model.supernet.backbone.kernel_weights': KERNEL_WEIGHTS})
        model = load_generator(cfg, paths['generator'])
        low, high = model.constraint_range
        targets = [float(t) for t in np.linspace(low, high, NUM_TARGETS)]
        subnets, _ = generate_subnets(model, targets, tolerance=None)
    random_scores = cached.get('random_scores')
    if random_scores is None:
        random_scores = []
        for index, arch in enumerate(archs):
            random_scores.append(judge(arch))
            print(f'{paths["dir"]}: random {index:2d} top-1 {random_scores[-1]:.2f}', flush=True)
    result = dict(reference=texts, supernet=paths['supernet'], generator=paths['generator'],
                  random_flops=[table.arch_cost(a) for a in archs], random_scores=random_scores,
                  targets=None, raw_flops=None, generated=None, judge=judge.settings())
    if subnets is not None:
        generated = []
        for index in SCORED_TARGETS:
            subnet = subnets[index]
            arch = judge.space.from_text(model.space.to_text(subnet.raw_arch))
            generated.append(dict(target=subnet.constraint, flops=subnet.raw_flops,
                                  score=judge(arch), arch=judge.space.to_text(arch)))
        result.update(targets=targets, raw_flops=[s.raw_flops for s in subnets],
                      generated=generated)
    write_text_atomic(cache_path, json.dumps(result, indent=1, default=str))
    return result


def run_study(settings: StudySettings) -> dict:
    """Train (or resume) every run of the study, score it and write ``study.json`` and
    ``study.md`` in ``settings.out_dir``; returns the summary."""
    from mmengine.config import Config

    from ..space import UnifiedSpace
    from ..space.spec import macro_from_cfg
    macro = Config.fromfile(SUPERNET_CONFIG).macro
    reference_space = UnifiedSpace(macro_from_cfg(**macro), kernel_order='positional')
    reference = reference_architectures(reference_space, settings.num_random, seed=0)
    scratch, seed_scores = (train_scratch(settings, reference, reference_space) if settings.scratch
                            else (None, None))
    runs: Dict[str, Dict[int, dict]] = {o: {} for o in settings.orders}
    scores: Dict[str, Dict[int, List[float]]] = {o: {} for o in settings.orders}
    for seed in settings.seeds:
        for order in settings.orders:
            with_generator = settings.generator_seeds is None or seed in settings.generator_seeds
            paths = train_run(settings, order, seed, with_generator)
            result = score_run(paths, order, reference, reference_space)
            seconds = training_seconds(os.path.dirname(paths['supernet']))
            runs[order][seed] = run_summary(result['random_flops'], result['random_scores'],
                                            result['generated'], result['targets'],
                                            result['raw_flops'],
                                            float('nan') if seconds is None else seconds / 60,
                                            scratch)
            scores[order][seed] = result['random_scores']
            reference_flops = result['random_flops']
    summary = summarise_study(runs, scores)
    summary.update(seeds=settings.seeds, generator_seeds=settings.generator_seeds or settings.seeds,
                   supernet_epochs=settings.supernet_epochs,
                   generator_images=settings.generator_images, num_random=settings.num_random, runs=runs,
                   scratch=None if scratch is None else dict(
                       scores=scratch, epochs=settings.scratch_epochs, config=SCRATCH_CONFIG,
                       images=settings.scratch_images, seeds=settings.scratch_seeds,
                       seed_scores=seed_scores,
                       flops=reference_flops[:len(scratch)]))
    write_text_atomic(os.path.join(settings.out_dir, 'study.json'), json.dumps(summary, indent=1))
    report = markdown_report(summary, settings.seeds, settings.num_random, 10000, summary['scratch'])
    write_text_atomic(os.path.join(settings.out_dir, 'study.md'), report)
    print(report, flush=True)
    return summary


