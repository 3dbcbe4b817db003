"""Time to draw a WeakNAS candidate pool under a budget, one draw at a time (rejection with
``sample_within_budget``) against the vectorised ``sample_pool_within_budget``, side by side in one
run on the space of a search config.

    python tools/analysis/benchmark_pool_sampling.py configs/demo/weaknas_digits.py \
        [--budget 6.5] [--count 300] [--pool-size 5000]

The one-at-a-time sampler is timed for ``--count`` architectures (it is slow at the low end of the
range) and scaled to ``--pool-size``; the vectorised one draws the whole pool. Prints the share of
draws inside the budget and the ratio of the two times.
"""
import argparse
import random
import time

from mmengine.config import Config
from mmengine.registry import DefaultScope

import mmsgnas  # noqa: F401
from mmsgnas.cost import build_cost_table, sample_pool_within_budget, sample_within_budget
from mmsgnas.registry import MODELS
from mmsgnas.space import build_space


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a search config (space, input size and cost from it)')
    parser.add_argument('--budget', type=float, default=6.5, help='MFLOPs')
    parser.add_argument('--count', type=int, default=300)
    parser.add_argument('--pool-size', type=int, default=5000)
    args = parser.parse_args(argv)

    cfg = Config.fromfile(args.config)
    search_cfg = cfg.search_cfg
    if search_cfg.get('space'):                    # query mode
        space, num_classes = build_space(search_cfg.space), search_cfg.get('num_classes') or 10
    else:                                          # supernet mode: the supernet's space
        with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmsgnas')):
            model = MODELS.build(cfg.model)
        space, num_classes = model.backbone.space, model.head.num_classes
    table = build_cost_table(space, search_cfg.input_size, num_classes, search_cfg.get('cost'))
    rng = random.Random(0)
    start = time.perf_counter()
    for _ in range(args.count):
        sample_within_budget(rng, table, args.budget)
    one_by_one = (time.perf_counter() - start) * args.pool_size / args.count
    start = time.perf_counter()
    pool = sample_pool_within_budget(table, args.pool_size, args.budget, seed=0)
    vectorised = time.perf_counter() - start
    draws = 20000
    inside = sum(table.arch_cost(space.sample(rng)) <= args.budget for _ in range(draws)) / draws
    print(f'{space.name} at {search_cfg.input_size}px, budget {args.budget:g} '
          f'{table.unit}: {inside:.2%} of {draws} draws inside')
    print(f'one draw at a time: {one_by_one:.1f} s for {args.pool_size} '
          f'(timed for {args.count}, scaled)')
    print(f'vectorised: {vectorised:.2f} s for {len(pool)}; one draw at a time / vectorised: '
          f'{one_by_one / vectorised:.2g}')
    return dict(one_by_one=one_by_one, vectorised=vectorised, inside=inside)


if __name__ == '__main__':
    main()
