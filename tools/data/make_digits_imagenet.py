"""Write scikit-learn's handwritten digit scans as an ImageNet-format classification set.

    python tools/data/make_digits_imagenet.py [--out data/digits] [--size 32] [--seed 0] [--force]

Layout (loads with mmpretrain's ``ImageNet(data_root=out, split='train'|'val')`` and
``CustomDataset(data_root=out, data_prefix=<split>, ann_file=f'meta/{split}.txt')``)::

    out/train/<c>/train_<i>.png   val/<c>/val_<i>.png   test/<c>/test_<i>.png   (c = "0".."9")
    out/meta/{train,val,test}.txt  lines "<c>/<split>_<i>.png <label>"
    out/classes.txt                "0".."9", one per line
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from digits_source import (CLASSES, SPLITS, atomic_directory, load_digit_splits,  # noqa: E402
                           render_digit, save_png, should_build)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/digits', help='output folder')
    parser.add_argument('--size', type=int, default=32, help='image side in pixels')
    parser.add_argument('--seed', type=int, default=0, help='seed of the train/val/test split')
    parser.add_argument('--force', action='store_true', help='replace an existing --out')
    args = parser.parse_args(argv)
    if args.size < 1:
        parser.error('--size must be positive')
    return args


def is_complete(out: Path) -> bool:
    """True if ``out`` has classes.txt and every meta file with all the images it lists."""
    if not (out / 'classes.txt').is_file():
        return False
    for split in SPLITS:
        ann = out / 'meta' / f'{split}.txt'
        if not ann.is_file():
            return False
        for line in ann.read_text().splitlines():
            if not (out / split / line.rsplit(' ', 1)[0]).is_file():
                return False
    return True


def write_dataset(root: Path, size: int, seed: int) -> dict[str, int]:
    """Write the whole layout into the empty folder ``root``; returns {split: number of images}."""
    (root / 'meta').mkdir()
    (root / 'classes.txt').write_text(''.join(f'{c}\n' for c in CLASSES))
    counts = {}
    for split, (images, labels) in load_digit_splits(seed).items():
        for c in CLASSES:
            (root / split / c).mkdir(parents=True)
        width = len(str(len(images) - 1))
        lines = []
        for i, (image, label) in enumerate(zip(images, labels)):
            rel = f'{label}/{split}_{i:0{width}d}.png'
            save_png(render_digit(image, size), root / split / rel)
            lines.append(f'{rel} {label}\n')
        (root / 'meta' / f'{split}.txt').write_text(''.join(lines))
        counts[split] = len(lines)
    return counts


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out = Path(args.out)
    if not should_build(out, args.force, is_complete):
        return
    start = time.perf_counter()
    with atomic_directory(out) as tmp:
        counts = write_dataset(tmp, args.size, args.seed)
    print(f'wrote {out}: ' + ', '.join(f'{s} {n}' for s, n in counts.items())
          + f' images of {args.size}x{args.size} in {time.perf_counter() - start:.1f}s')


if __name__ == '__main__':
    main()
