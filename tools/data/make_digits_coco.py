"""Write a COCO-format detection set of handwritten digit scans pasted onto dark canvases.

    python tools/data/make_digits_coco.py [--out data/digits_coco] [--canvas 128]
        [--num-train 1000] [--num-val 200] [--min-digits 1] [--max-digits 5]
        [--min-scale 16] [--max-scale 48] [--seed 0] [--force]

Layout::

    out/train/000000.png ...  out/val/000000.png ...   RGB canvases
    out/annotations/instances_train.json  out/annotations/instances_val.json

Train canvases use scans from the 'train' and 'val' splits of ``load_digit_splits(seed)``, val
canvases scans from its 'test' split. Each digit is a square of random side in
[min_scale, max_scale]; squares never overlap. A box is the tight box of the digit's ink
(pixels > INK_THRESHOLD), not of the square. Category ids 1..10 are the digits "0".."9".
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from digits_source import (CLASSES, atomic_directory, load_digit_splits,  # noqa: E402
                           render_digit, save_png, should_build)

INK_THRESHOLD = 16  # of 255: rendered pixels brighter than this count as ink for the box
MAX_TRIES = 50  # placement attempts per digit before it is dropped
COCO_SPLITS = ('train', 'val')


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/digits_coco', help='output folder')
    parser.add_argument('--canvas', type=int, default=128, help='canvas side in pixels')
    parser.add_argument('--num-train', type=int, default=1000, help='number of train canvases')
    parser.add_argument('--num-val', type=int, default=200, help='number of val canvases')
    parser.add_argument('--min-digits', type=int, default=1)
    parser.add_argument('--max-digits', type=int, default=5)
    parser.add_argument('--min-scale', type=int, default=16, help='smallest digit side (px)')
    parser.add_argument('--max-scale', type=int, default=48, help='largest digit side (px)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the scan split and layouts')
    parser.add_argument('--force', action='store_true', help='replace an existing --out')
    args = parser.parse_args(argv)
    if args.num_train < 0 or args.num_val < 0:
        parser.error('--num-train/--num-val must be >= 0')
    if not 1 <= args.min_digits <= args.max_digits:
        parser.error('need 1 <= --min-digits <= --max-digits')
    if not 1 <= args.min_scale <= args.max_scale <= args.canvas:
        parser.error('need 1 <= --min-scale <= --max-scale <= --canvas')
    return args


def is_complete(out: Path) -> bool:
    """True if both annotation files parse and every image they list exists."""
    for split in COCO_SPLITS:
        ann = out / 'annotations' / f'instances_{split}.json'
        try:
            images = json.loads(ann.read_text())['images']
        except (OSError, ValueError, KeyError):
            return False
        if not all((out / split / im['file_name']).is_file() for im in images):
            return False
    return True


def make_canvas(rng: np.random.Generator, scans: np.ndarray, canvas: int, num_digits: int,
                min_scale: int, max_scale: int) -> tuple[np.ndarray, list[tuple[int, list[int]]]]:
    """Paste up to ``num_digits`` random scans onto a black canvas.

    Args:
        scans: float [N, 8, 8] in [0, 1].

    Returns:
        (uint8 [canvas, canvas, 3], [(scan index, [x, y, w, h] ink box in int pixels), ...]).
        Fewer digits than asked are drawn when one finds no free spot in MAX_TRIES attempts.
    """
    image = np.zeros((canvas, canvas, 3), dtype=np.uint8)
    squares: list[tuple[int, int, int]] = []  # (x, y, side) of the placed squares
    placed = []
    for _ in range(num_digits):
        scan = int(rng.integers(len(scans)))
        side = int(rng.integers(min_scale, max_scale + 1))
        for _ in range(MAX_TRIES):
            x, y = (int(v) for v in rng.integers(0, canvas - side + 1, size=2))
            if all(x >= qx + qs or qx >= x + side or y >= qy + qs or qy >= y + side
                   for qx, qy, qs in squares):
                break
        else:
            continue
        digit = render_digit(scans[scan], side)
        ys, xs = np.nonzero(digit[..., 0] > INK_THRESHOLD)
        if len(xs) == 0:
            continue
        squares.append((x, y, side))
        image[y:y + side, x:x + side] = digit
        box = [x + int(xs.min()), y + int(ys.min()),
               int(xs.max() - xs.min()) + 1, int(ys.max() - ys.min()) + 1]
        placed.append((scan, box))
    return image, placed


def write_split(root: Path, split: int, num_images: int, scans: np.ndarray, labels: np.ndarray,
                args: argparse.Namespace) -> dict:
    """Write ``num_images`` canvases to ``root/<split>`` and return the COCO dict for them."""
    name = COCO_SPLITS[split]
    (root / name).mkdir()
    rng = np.random.default_rng([args.seed, split])  # one stream per split: val ignores num_train
    images, annotations = [], []
    for i in range(num_images):
        num_digits = int(rng.integers(args.min_digits, args.max_digits + 1))
        canvas, placed = make_canvas(rng, scans, args.canvas, num_digits, args.min_scale,
                                     args.max_scale)
        file_name = f'{i:06d}.png'
        save_png(canvas, root / name / file_name)
        images.append(dict(id=i + 1, file_name=file_name, width=args.canvas, height=args.canvas))
        for scan, (x, y, w, h) in placed:
            annotations.append(dict(id=len(annotations) + 1, image_id=i + 1,
                                    category_id=int(labels[scan]) + 1,
                                    bbox=[float(x), float(y), float(w), float(h)],
                                    area=float(w * h), iscrowd=0))
    categories = [dict(id=k + 1, name=c, supercategory='digit') for k, c in enumerate(CLASSES)]
    info = dict(description=f'sklearn handwritten digits on {args.canvas}px canvases, '
                f'{name} split, seed {args.seed}')
    return dict(info=info, licenses=[], images=images, annotations=annotations,
                categories=categories)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out = Path(args.out)
    if not should_build(out, args.force, is_complete):
        return
    start = time.perf_counter()
    splits = load_digit_splits(args.seed)
    pools = {
        'train': (np.concatenate([splits['train'][0], splits['val'][0]]),
                  np.concatenate([splits['train'][1], splits['val'][1]])),
        'val': splits['test'],
    }
    counts = {}
    with atomic_directory(out) as tmp:
        (tmp / 'annotations').mkdir()
        for k, (name, num) in enumerate(zip(COCO_SPLITS, (args.num_train, args.num_val))):
            coco = write_split(tmp, k, num, *pools[name], args)
            (tmp / 'annotations' / f'instances_{name}.json').write_text(json.dumps(coco))
            counts[name] = (len(coco['images']), len(coco['annotations']))
    summary = ', '.join(f'{s} {n} images / {m} boxes' for s, (n, m) in counts.items())
    print(f'wrote {out}: {summary} in {time.perf_counter() - start:.1f}s')


if __name__ == '__main__':
    main()
