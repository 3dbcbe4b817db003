"""Positional against sorted kernel sampling: supernets and generators trained under each, over
several seeds, scored on the same stand-alone networks (mmsgnas.evaluation.kernel_order_study).

    python tools/analysis/compare_kernel_order.py [--seeds 0 1 2] [--generator-seeds 0 1 2]
        [--orders positional sorted] [--supernet-epochs 3] [--generator-images 3200]
        [--num-random 40] [--out-dir work_dirs/kernel_order]

Per seed s and order o (``model.backbone.kernel_order``), as subprocesses that are skipped when
their last checkpoint exists (so a rerun continues):

1. ``tools/train.py configs/fmnist/supernet_fmnist.py`` for ``--supernet-epochs`` epochs (cosine
   shortened to fit), ``randomness.seed=s``, into ``<out-dir>/<o>_s<s>/supernet``;
2. for the ``--generator-seeds`` (default: all), ``tools/train.py configs/fmnist/generator_fmnist.py``
   on that supernet, 10 epochs on the first ``--generator-images`` held-out images, into
   ``<out-dir>/<o>_s<s>/generator``.

Then, in this process: ``--num-random`` architectures drawn once (positional sampling, seed 0) are
scored on every supernet, and the generator's raw (argmax, unprojected) networks at 19 targets
give its budget error; those at 5 of the targets are scored too. Scores are top-1 on the 10,000
Fashion-MNIST test images after BN recalibration (the judge of configs/fmnist/random_search_fmnist.py)
and are cached per run in ``scores.json``. Writes ``study.json`` and ``study.md`` in the out dir.
"""
import argparse
import json
import os
import subprocess
import sys
from typing import Dict, List, Optional

import numpy as np

from mmsgnas.evaluation.harness.methods import training_seconds
from mmsgnas.evaluation.kernel_order_study import (ORDERS, markdown_report, reference_architectures,
                                                   run_summary, summarise_study)
from mmsgnas.utils import write_text_atomic

SUPERNET_CONFIG = 'configs/fmnist/supernet_fmnist.py'
GENERATOR_CONFIG = 'configs/fmnist/generator_fmnist.py'
JUDGE_CONFIG = 'configs/fmnist/random_search_fmnist.py'
GENERATOR_EPOCHS = 10   # as configs/fmnist/generator_fmnist.py (its temperature decays per epoch)
NUM_TARGETS = 19
SCORED_TARGETS = (0, 4, 9, 14, 18)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--generator-seeds', type=int, nargs='*', default=None,
                        help='seeds whose runs also train and score a generator (default: all); '
                        'the others give the supernet figures only')
    parser.add_argument('--orders', nargs='+', choices=ORDERS, default=list(ORDERS))
    parser.add_argument('--supernet-epochs', type=int, default=3)
    parser.add_argument('--generator-images', type=int, default=3200)
    parser.add_argument('--num-random', type=int, default=40)
    parser.add_argument('--out-dir', default='work_dirs/kernel_order')
    args = parser.parse_args(argv)
    if args.supernet_epochs < 2:
        raise SystemExit('--supernet-epochs must be at least 2 (one warm-up epoch, then cosine)')
    return args


def train(config: str, work_dir: str, last: str, options: List[str], log: str) -> str:
    """Run tools/train.py unless ``work_dir/last`` exists (an interrupted run resumes from its
    last checkpoint); returns the checkpoint path."""
    checkpoint = os.path.join(work_dir, last)
    if os.path.isfile(checkpoint):
        return checkpoint
    os.makedirs(os.path.dirname(log), exist_ok=True)
    print(f'training {work_dir} (log {log})', flush=True)
    with open(log, 'a') as stream:
        code = subprocess.run([sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
                               '--resume', '--cfg-options', *options], stdout=stream,
                              stderr=subprocess.STDOUT).returncode
    if code != 0 or not os.path.isfile(checkpoint):
        raise SystemExit(f'training failed ({config}, exit {code}); see {log}')
    return checkpoint


def train_run(args: argparse.Namespace, order: str, seed: int,
              with_generator: bool = True) -> Dict[str, str]:
    run_dir = os.path.join(args.out_dir, f'{order}_s{seed}')
    epochs = args.supernet_epochs
    supernet = train(SUPERNET_CONFIG, os.path.join(run_dir, 'supernet'), f'epoch_{epochs}.pth',
                     [f'randomness.seed={seed}', f'model.backbone.kernel_order={order}',
                      f'train_cfg.max_epochs={epochs}', f'param_scheduler.1.T_max={epochs - 1}',
                      f'param_scheduler.1.end={epochs}'], f'{run_dir}.supernet.log')
    if not with_generator:
        return dict(dir=run_dir, supernet=supernet, generator=None)
    generator = train(GENERATOR_CONFIG, os.path.join(run_dir, 'generator'),
                      f'epoch_{GENERATOR_EPOCHS}.pth',
                      [f'randomness.seed={seed}', f'model.supernet.backbone.kernel_order={order}',
                       f'model.supernet_checkpoint={supernet}',
                       f'train_dataloader.dataset.indices={args.generator_images}'],
                      f'{run_dir}.generator.log')
    return dict(dir=run_dir, supernet=supernet, generator=generator)


def score_run(paths: Dict[str, Optional[str]], order: str, reference: list,
              reference_space) -> dict:
    """Scores of the reference networks and, when the run has a generator, of its raw networks
    (cached in scores.json, per part: a generator added later is scored without rescoring the
    reference networks)."""
    from mmengine.config import Config

    from mmsgnas.engine import generate_subnets, load_generator
    from mmsgnas.evaluation.harness.judges import SupernetJudge
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
                          cfg_options={'model.backbone.kernel_order': order})
    table = judge.space.cost_table(28, 10)
    archs = [judge.space.from_text(t) for t in texts]
    subnets = None
    if paths['generator'] is not None:   # generate first: a broken generator fails fast
        cfg = Config.fromfile(GENERATOR_CONFIG)
        cfg.merge_from_dict({'model.supernet.backbone.kernel_order': order})
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


def main(argv=None) -> dict:
    args = parse_args(argv)
    from mmsgnas.space import UnifiedSpace
    from mmsgnas.space.spec import macro_from_cfg
    from mmengine.config import Config
    macro = Config.fromfile(SUPERNET_CONFIG).macro
    reference_space = UnifiedSpace(macro_from_cfg(**macro), kernel_order='positional')
    reference = reference_architectures(reference_space, args.num_random, seed=0)
    runs: Dict[str, Dict[int, dict]] = {o: {} for o in args.orders}
    scores: Dict[str, Dict[int, List[float]]] = {o: {} for o in args.orders}
    for seed in args.seeds:
        for order in args.orders:
            with_generator = args.generator_seeds is None or seed in args.generator_seeds
            paths = train_run(args, order, seed, with_generator)
            result = score_run(paths, order, reference, reference_space)
            seconds = training_seconds(os.path.dirname(paths['supernet']))
            runs[order][seed] = run_summary(result['random_flops'], result['random_scores'],
                                            result['generated'], result['targets'],
                                            result['raw_flops'],
                                            float('nan') if seconds is None else seconds / 60)
            scores[order][seed] = result['random_scores']
    summary = summarise_study(runs, scores)
    summary.update(seeds=args.seeds, generator_seeds=args.generator_seeds or args.seeds,
                   supernet_epochs=args.supernet_epochs,
                   generator_images=args.generator_images, num_random=args.num_random, runs=runs)
    write_text_atomic(os.path.join(args.out_dir, 'study.json'), json.dumps(summary, indent=1))
    report = markdown_report(summary, args.seeds, args.num_random, 10000)
    write_text_atomic(os.path.join(args.out_dir, 'study.md'), report)
    print(report)
    return summary


if __name__ == '__main__':
    main()
