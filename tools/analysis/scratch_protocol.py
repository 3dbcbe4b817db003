"""The NAS-Benchmark protocol on a finished comparison: at one budget, the first N random
architectures of the cloud and every method's choices retrained from scratch with one identical
short recipe; each method's relative improvement over the random mean (per seed) and Kendall tau
between the one-shot and from-scratch rankings (mmsgnas.evaluation.harness.scratch).

    python tools/analysis/scratch_protocol.py work_dirs/fmnist/compare/compare.json \\
        --config configs/fmnist/retrain_fmnist.py --budget 2 --num-random 8 --epochs 3 \\
        --images 20000 --noise-seeds 1 --out-dir work_dirs/fmnist/scratch

Writes scratch.json and scratch.md into the out dir; every network is a resumable step, so a rerun
of the same command continues where it stopped.
"""
import argparse

from mmsgnas.evaluation.harness.scratch import ScratchSettings, markdown, run_scratch_protocol


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('comparison', help='compare.json of tools/analysis/compare_search.py')
    parser.add_argument('--config', required=True, help='the retrain config')
    parser.add_argument('--budget', type=int, required=True,
                        help='row of the comparison (0-based index of its budgets)')
    parser.add_argument('--num-random', type=int, default=8)
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--images', type=int, help='first N training images (default: all)')
    parser.add_argument('--seed', type=int, default=0, help='training seed of every network')
    parser.add_argument('--noise-seeds', type=int, nargs='*', default=[],
                        help='more seeds for the first random architecture (recipe noise)')
    parser.add_argument('--methods', nargs='+', help='default: every method of the comparison')
    parser.add_argument('--judge', help="the one-shot judge (default: the comparison's first)")
    parser.add_argument('--out-dir', required=True)
    args = parser.parse_args(argv)
    settings = ScratchSettings(
        comparison=args.comparison, config=args.config, budget=args.budget,
        out_dir=args.out_dir, num_random=args.num_random, epochs=args.epochs, images=args.images,
        seed=args.seed, noise_seeds=args.noise_seeds, judge=args.judge, methods=args.methods)
    summary = run_scratch_protocol(settings)
    print(markdown(summary, settings))
    return summary


if __name__ == '__main__':
    main()
