"""Positional against sorted kernel sampling: supernets and generators trained under each, over
several seeds, scored on the same stand-alone networks (mmsgnas.evaluation.kernel_order_study).

    python tools/analysis/compare_kernel_order.py [--seeds 0 1 2] [--generator-seeds 0 1 2]
        [--orders positional sorted] [--supernet-epochs 3] [--generator-images 3200]
        [--num-random 40] [--scratch N] [--scratch-epochs 3] [--scratch-images M]
        [--scratch-seeds 0 1] [--out-dir work_dirs/kernel_order]

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
and are cached per run in ``scores.json``.

With ``--scratch N``, the first N of those architectures are also trained from scratch, before
any supernet, with one short identical recipe (``configs/fmnist/retrain_fmnist.py`` for
``--scratch-epochs`` epochs on the first ``--scratch-images`` training images, the first of
``--scratch-seeds``, into ``<out-dir>/scratch/net_<i>``; network 0 also under the other seeds, for
the recipe's seed noise) and tested on the same 10,000 images; every run then reports the Kendall
tau between its supernet's scores of them and their from-scratch top-1. Writes ``study.json`` and
``study.md`` in the out dir.
"""
import argparse

from mmsgnas.evaluation.kernel_order_runs import SCRATCH_CONFIG, StudySettings, run_study
from mmsgnas.evaluation.kernel_order_study import ORDERS


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
    parser.add_argument('--scratch', type=int, default=0, metavar='N',
                        help='also train the first N reference networks from scratch and report '
                        'the one-shot vs from-scratch Kendall tau of every supernet (N >= 3)')
    parser.add_argument('--scratch-epochs', type=int, default=3,
                        help=f'epochs of the from-scratch recipe ({SCRATCH_CONFIG}, its cosine '
                        'shortened to fit)')
    parser.add_argument('--scratch-images', type=int, default=None,
                        help='train them on the first N training images (default: all 50,000)')
    parser.add_argument('--scratch-seeds', type=int, nargs='+', default=[0],
                        help='training seeds of the first reference network from scratch: more '
                        'than one measures the recipe\'s seed noise (the others use the first)')
    parser.add_argument('--out-dir', default='work_dirs/kernel_order')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    try:
        settings = StudySettings(**vars(parse_args(argv)))
    except ValueError as error:
        raise SystemExit(f'compare_kernel_order.py: error: {error}')
    return run_study(settings)


if __name__ == '__main__':
    main()
