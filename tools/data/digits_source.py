"""Shared logic for the small real-scan data sets made from scikit-learn's handwritten digits.

``sklearn.datasets.load_digits`` bundles 1797 scanned 8x8 digits (10 classes, intensities 0..16)
inside the scikit-learn package, so no download is needed. This module splits them
deterministically, renders a scan as an RGB image and writes output folders atomically. The CLIs
``make_digits_imagenet.py`` and ``make_digits_coco.py`` next to this file use it.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

SPLITS = ('train', 'val', 'test')
CLASSES = tuple(str(c) for c in range(10))


def split_indices(labels: np.ndarray, seed: int = 0,
                  fractions: Sequence[float] = (0.6, 0.2, 0.2)) -> dict[str, np.ndarray]:
    """Stratified, disjoint split of ``range(len(labels))``.

    Args:
        labels: int array [N].
        seed: the split depends only on this seed (and the labels).
        fractions: (train, val, test) fractions, non-negative, summing to 1.

    Returns:
        {'train'|'val'|'test': sorted int64 index array}; the three arrays together cover
        ``range(N)`` exactly once. Per class, ``round(n_c * f_train)`` go to train,
        ``round(n_c * f_val)`` to val and the rest to test.
    """
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(f'fractions must be 3 non-negative numbers summing to 1, got {fractions}')
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {s: [] for s in SPLITS}
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_train = int(round(len(idx) * fractions[0]))
        n_val = min(int(round(len(idx) * fractions[1])), len(idx) - n_train)
        parts['train'].append(idx[:n_train])
        parts['val'].append(idx[n_train:n_train + n_val])
        parts['test'].append(idx[n_train + n_val:])
    return {s: np.sort(np.concatenate(p)).astype(np.int64) for s, p in parts.items()}


def load_digit_splits(seed: int = 0, fractions: Sequence[float] = (0.6, 0.2, 0.2)
                      ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Load the 1797 scans and split them (see :func:`split_indices`).

    Returns:
        {'train'|'val'|'test': (images float32 [N, 8, 8] in [0, 1], labels int64 [N])}, each split
        ordered by the scan's position in ``load_digits``.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int64)
    idx = split_indices(labels, seed, fractions)
    return {s: (images[i], labels[i]) for s, i in idx.items()}


def render_digit(image8x8: np.ndarray, size: int) -> np.ndarray:
    """Upscale one scan to an RGB image with PIL's bilinear filter.

    Args:
        image8x8: float [8, 8] with intensities in [0, 1] (values outside are clipped).
        size: output side in pixels.

    Returns:
        uint8 [size, size, 3]; ink is bright (255 * intensity) on a black background, grey (R=G=B).
    """
    from PIL import Image

    gray = np.round(np.clip(np.asarray(image8x8, dtype=np.float64), 0, 1) * 255).astype(np.uint8)
    img = Image.fromarray(gray).resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(img.convert('RGB'))


def save_png(array: np.ndarray, path: Path) -> None:
    """Write uint8 [H, W, 3] as a PNG without metadata (same array => same bytes)."""
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(array, dtype=np.uint8)).save(path, format='PNG')


def _fresh_dir(out: Path, tag: str) -> Path:
    """Create an empty hidden folder next to ``out`` (umask permissions, unlike mkdtemp's 0700)."""
    for _ in range(100):
        path = out.parent / f'.{out.name}.{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}'
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f'could not create a temporary folder next to {out}')


@contextmanager
def atomic_directory(out: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder next to ``out``; on success it replaces ``out``.

    If the body raises (including KeyboardInterrupt) the temporary folder is removed and ``out``
    is left as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _fresh_dir(out, 'tmp')
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out.exists():
        old = _fresh_dir(out, 'old')
        os.rename(out, old / out.name)
        try:
            os.rename(tmp, out)
        except BaseException:
            os.rename(old / out.name, out)  # put the previous set back
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, out)


def should_build(out: Path, force: bool, is_complete: Callable[[Path], bool]) -> bool:
    """Whether to (re)build ``out``; prints why not. SystemExit if it is not a complete set."""
    out = Path(out)
    if not out.exists() or force:
        return True
    if is_complete(out):
        print(f'{out} already exists and is complete; nothing to do (use --force to rebuild)')
        return False
    raise SystemExit(f'{out} exists but is not a complete data set; pass --force to replace it')
