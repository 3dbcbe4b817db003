"""Ways of training the architecture generator, over several seeds, on one frozen supernet: does
G(C) itself meet the budget (mmsgnas.evaluation.generator_recipe_study)?

    python tools/analysis/compare_generator_recipes.py [--recipes paper argmax_cost ...]
        [--recipe NAME KEY=VALUE ...] [--seeds 0 1 2] [--supernet-checkpoint PATH]
        [--num-random 60] [--out-dir work_dirs/generator_recipes]

A recipe is a set of changes to the generator config, named as ``--cfg-options`` name them. The
built-in ones are the issue's candidate fixes (``--list`` prints them); ``--recipe NAME KEY=VALUE
...`` adds one (repeatable). Each recipe's config is written to ``<out-dir>/<recipe>/config.py``.

1. The supernet: ``--supernet-checkpoint``, or, when not given, ``tools/train.py
   configs/demo/supernet_digits.py`` (seed 0) into ``<out-dir>/supernet``.
2. Per recipe r and seed s, ``tools/train.py <out-dir>/<r>/config.py`` (the generator config with
   the recipe's changes) with ``randomness.seed=s`` into ``<out-dir>/<r>/seed_<s>`` (skipped
   when its last checkpoint exists, resumed otherwise: a rerun continues).
3. In this process: the raw argmax (no projection) and projected architectures at 19 targets over
   the generator's range; the raw networks at 5 of them scored on the supernet (test split, BN
   recalibrated) against one fixed random cloud at equal MFLOPs.

Writes ``study.json`` and ``study.md`` (one row per recipe, mean ± std over seeds) in the out dir.
Other configs (e.g. Fashion-MNIST): ``--supernet-config``, ``--generator-config``,
``--judge-config``.
"""
import argparse

from mmsgnas.evaluation.generator_recipe_runs import (RecipeStudySettings, parse_recipe,
                                                      run_study)
from mmsgnas.evaluation.generator_recipe_study import CANDIDATES


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--recipes', nargs='+', default=None, metavar='NAME',
                        help=f'built-in recipes to run (default: all): {", ".join(CANDIDATES)}')
    parser.add_argument('--recipe', nargs='+', action='append', default=[],
                        metavar='NAME KEY=VALUE', help='an extra recipe (repeatable)')
    parser.add_argument('--list', action='store_true', help='print the built-in recipes and exit')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--supernet-checkpoint', default=None)
    parser.add_argument('--supernet-config', default='configs/demo/supernet_digits.py')
    parser.add_argument('--generator-config', default='configs/demo/generator_digits.py')
    parser.add_argument('--judge-config', default='configs/demo/random_search_digits.py')
    parser.add_argument('--num-targets', type=int, default=19)
    parser.add_argument('--num-scored', type=int, default=5)
    parser.add_argument('--num-random', type=int, default=60)
    parser.add_argument('--split', default='test', choices=['test', 'val'])
    parser.add_argument('--out-dir', default='work_dirs/generator_recipes')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.list:
        for name, options in CANDIDATES.items():
            pairs = ' '.join(f'{k}={v}' for k, v in options.items())
            print(f'{name}: {pairs or "(as configured)"}')
        return None
    try:
        unknown = [n for n in args.recipes or [] if n not in CANDIDATES]
        if unknown:
            raise ValueError(f'unknown recipes {unknown}; built-in: {list(CANDIDATES)}')
        recipes = {n: CANDIDATES[n] for n in (args.recipes or ([] if args.recipe else CANDIDATES))}
        for words in args.recipe:
            name, options = parse_recipe(words)
            recipes[name] = options
        settings = RecipeStudySettings(
            recipes=recipes, seeds=args.seeds, supernet_checkpoint=args.supernet_checkpoint,
            supernet_config=args.supernet_config, generator_config=args.generator_config,
            judge_config=args.judge_config, num_targets=args.num_targets,
            num_scored=args.num_scored, num_random=args.num_random, split=args.split,
            out_dir=args.out_dir, baseline='paper' if 'paper' in recipes else None)
    except ValueError as error:
        raise SystemExit(f'compare_generator_recipes.py: error: {error}')
    return run_study(settings)


if __name__ == '__main__':
    main()
