"""Split ImageNet's meta/train.txt into the supernet's part and the generator's held-out part.

    python tools/data/split_imagenet_heldout.py data/imagenet [--fraction 0.2] [--seed 0]
        [--search-per-class 10]

Writes meta/train_main.txt (for supernet training) and meta/train_heldout.txt (for generator
training; ``--fraction`` of the images, sampled per class), as the authors hold out 20% of the
training set, and meta/train_heldout_search.txt: ``--search-per-class`` held-out images per class
(10,000 for ImageNet) on which the random-search and evolution baselines score candidates.
Existing files are replaced atomically.
"""
import argparse
import collections
import os
import random

from mmsgnas.utils import write_text_atomic


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root')
    parser.add_argument('--fraction', type=float, default=0.2)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--search-per-class', type=int, default=10)
    args = parser.parse_args(argv)
    source = os.path.join(args.data_root, 'meta', 'train.txt')
    if not os.path.isfile(source):
        raise FileNotFoundError(f'{source} not found: expected mmpretrain\'s ImageNet layout')
    by_class = collections.defaultdict(list)
    with open(source) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                parts = line.split()
                if len(parts) != 2:
                    raise ValueError(f'{source}:{number}: expected "<path> <label>", got {line!r}')
                by_class[parts[1]].append(line.rstrip('\n'))
    rng = random.Random(args.seed)
    main_lines, heldout, search = [], [], []
    for label in sorted(by_class, key=int):
        lines = by_class[label]
        chosen = rng.sample(range(len(lines)), round(args.fraction * len(lines)))
        chosen_set = set(chosen)
        for index, line in enumerate(lines):
            (heldout if index in chosen_set else main_lines).append(line)
        search += [lines[i] for i in sorted(chosen[:args.search_per_class])]
    for name, lines in (('train_main.txt', main_lines), ('train_heldout.txt', heldout),
                        ('train_heldout_search.txt', search)):
        path = os.path.join(args.data_root, 'meta', name)
        write_text_atomic(path, '\n'.join(lines) + '\n')
    print(f'{len(main_lines)} images for the supernet, {len(heldout)} held out for the generator, '
          f'{len(search)} of them for scoring search candidates')


if __name__ == '__main__':
    main()
