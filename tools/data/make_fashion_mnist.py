"""Install Fashion-MNIST (70,000 real 28x28 product photos, 10 classes) with a fixed held-out split.

    python tools/data/make_fashion_mnist.py [--source DIR] [--out data/fashion_mnist]
        [--val-per-class 1000] [--seed 0] [--force]

The four official files are looked for, in this order:

1. ``--source DIR``: the files (``*-ubyte`` or ``*-ubyte.gz``) in DIR, or in
   DIR/usr/share/datasets/fashion-mnist (a ``dpkg-deb -x`` of the Debian package into DIR);
2. /usr/share/datasets/fashion-mnist, where ``apt-get install dataset-fashion-mnist`` puts them;
3. the Debian package ``dataset-fashion-mnist``, fetched without root (``apt-get download`` and
   ``dpkg-deb -x`` into a temporary folder) when apt-get and dpkg-deb are there.

A named ``--source`` that lacks a file is an error (no fall-back to the other places). The files
are unpacked and the md5 of each unpacked file checked against the official value (Debian's .gz
files carry rewritten headers, so the .gz checksums differ from upstream's). Layout of ``--out``
(read by ``mmsgnas.FashionMNISTSplit``, which uses mmpretrain's ``FashionMNIST`` reader)::

    out/train-images-idx3-ubyte  train-labels-idx1-ubyte     60,000 official training images
    out/t10k-images-idx3-ubyte   t10k-labels-idx1-ubyte      10,000 official test images
    out/MD5SUMS                  ``md5sum -c MD5SUMS`` checks the four files
    out/meta/train.txt           indices into the 60,000 (ascending, one a line): supernet training
    out/meta/val.txt             the held-out rest (--val-per-class of every class): generator
                                 training and scoring search candidates
    out/meta/split.json          seed, sizes, per-class counts, train-split pixel mean/std

The official test images are the ``test`` split, used only for reporting. The held-out images of
a class are the ``--val-per-class`` ones with the smallest BLAKE2b hash of ``"<seed>:<index>"``,
so the split depends on nothing but the seed and the labels (no library's random stream).
The set is written into a hidden folder next to ``--out`` and renamed into place; a complete set
is left alone unless ``--force``; a folder that is not a complete set is never replaced without
``--force``. Same files and arguments give byte-identical output.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from contextlib import ExitStack
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from digits_source import atomic_directory, should_build  # noqa: E402

TRAIN_IMAGES, TRAIN_LABELS = 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'
TEST_IMAGES, TEST_LABELS = 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
#: md5 of the *unpacked* official files (zalandoresearch/fashion-mnist, data/fashion/*.gz)
OFFICIAL_MD5 = {
    TRAIN_IMAGES: 'f4a8712d7a061bf5bd6d2ca38dc4d50a',
    TRAIN_LABELS: '9018921c3c673c538a1fc5bad174d6f9',
    TEST_IMAGES: '8181f5470baa50b63fa0f6fddb340f0a',
    TEST_LABELS: '15d484375f8d13e6eb1aabb0c3f46965',
}
CLASSES = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
           'Bag', 'Ankle boot')
SYSTEM_DIR = Path('/usr/share/datasets/fashion-mnist')
DEB_PACKAGE = 'dataset-fashion-mnist'
DEB_SUBDIR = Path('usr/share/datasets/fashion-mnist')
SPLIT_FILES = ('meta/train.txt', 'meta/val.txt', 'meta/split.json')
HOW_TO_GET = f"""\
How to get the four official files:
  - Debian (or a derivative that has the package), with root:
      apt-get install -y {DEB_PACKAGE}      (files go to {SYSTEM_DIR}/, found there)
  - the same without root:
      apt-get download {DEB_PACKAGE} && dpkg-deb -x {DEB_PACKAGE}_*.deb DIR
      then pass --source DIR
  - other systems: download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
      t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from
      https://github.com/zalandoresearch/fashion-mnist (folder data/fashion) into DIR,
      then pass --source DIR"""


class DataError(Exception):
    """The Fashion-MNIST files cannot be found, fetched or trusted."""


# ----------------------------------------------------------------------------- finding the files
def files_in(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """({official name: path} of the files present in ``folder``, [names missing]).

    A file counts as present unpacked (``name``) or gzipped (``name.gz``); unpacked wins.
    """
    found, missing = {}, []
    for name in FILES:
        for candidate in (folder / name, folder / f'{name}.gz'):
            if candidate.is_file():
                found[name] = candidate
                break
        else:
            missing.append(name)
    return found, missing


def fetch_debian_package(workdir: Path) -> Path:
    """``apt-get download`` the Debian package into ``workdir`` and unpack it there (no root).

    Returns:
        The folder of the unpacked package that holds the four ``.gz`` files.
    """
    apt_get, dpkg_deb = shutil.which('apt-get'), shutil.which('dpkg-deb')
    if apt_get is None or dpkg_deb is None:
        raise DataError('apt-get and dpkg-deb are needed to fetch the Debian package')
    print(f'fetching the Debian package {DEB_PACKAGE} into {workdir} (about 31 MB)', flush=True)
    result = subprocess.run([apt_get, 'download', DEB_PACKAGE], cwd=workdir)
    if result.returncode != 0:
        raise DataError(f'`apt-get download {DEB_PACKAGE}` failed (exit {result.returncode}); '
                        'if apt says it cannot locate the package, its lists need an '
                        '`apt-get update` (root), or the distribution has no such package')
    debs = sorted(workdir.glob(f'{DEB_PACKAGE}_*.deb'))
    if len(debs) != 1:
        raise DataError(f'`apt-get download` left {len(debs)} {DEB_PACKAGE}_*.deb files in '
                        f'{workdir}, expected one')
    subprocess.run([dpkg_deb, '-x', str(debs[0]), str(workdir / 'root')], check=True)
    return workdir / 'root' / DEB_SUBDIR


def locate(source: Path | None, system_dir: Path, workdir: Callable[[], Path]
           ) -> tuple[dict[str, Path], str]:
    """Find the four files in the documented order.

    Args:
        source: the user's ``--source`` folder, or None.
        system_dir: where the installed Debian package keeps the files.
        workdir: gives an empty temporary folder for the Debian package (called only if needed).

    Returns:
        ({official name: path}, a description of where they came from).
    """
    if source is not None:
        tried = []
        for folder in (source, source / DEB_SUBDIR):
            found, missing = files_in(folder)
            if not missing:
                return found, f'--source {folder}'
            tried.append(f'{folder}: missing {", ".join(missing)} (or .gz)')
        raise DataError('--source does not hold the four Fashion-MNIST files:\n  '
                        + '\n  '.join(tried) + '\n' + HOW_TO_GET)
    found, missing = files_in(system_dir)
    if not missing:
        return found, f'{system_dir} (installed Debian package {DEB_PACKAGE})'
    if found:
        print(f'{system_dir} lacks {", ".join(missing)}; trying the Debian package', flush=True)
    if shutil.which('apt-get') is None or shutil.which('dpkg-deb') is None:
        raise DataError(f'Fashion-MNIST not found: no --source given, {system_dir} does not '
                        'hold the four files and there is no apt-get/dpkg-deb to fetch '
                        f'{DEB_PACKAGE}.\n{HOW_TO_GET}')
    try:
        folder = fetch_debian_package(workdir())
    except (DataError, OSError, subprocess.CalledProcessError) as err:
        raise DataError(f'could not fetch the Debian package {DEB_PACKAGE}: {err}\n'
                        f'{HOW_TO_GET}') from err
    found, missing = files_in(folder)
    if missing:
        raise DataError(f'the Debian package {DEB_PACKAGE} lacks {", ".join(missing)} in '
                        f'{DEB_SUBDIR}/\n{HOW_TO_GET}')
    return found, f'Debian package {DEB_PACKAGE} (apt-get download, unpacked in {folder})'


# ----------------------------------------------------------------------------- checking them
def unpack(src: Path, dst: Path) -> str:
    """Copy ``src`` to ``dst``, gunzipping a ``.gz``; returns the md5 of what was written."""
    md5 = hashlib.md5()
    opener = gzip.open if src.suffix == '.gz' else open
    with opener(src, 'rb') as fin, open(dst, 'wb') as fout:
        while chunk := fin.read(1 << 20):
            md5.update(chunk)
            fout.write(chunk)
    return md5.hexdigest()


def file_md5(path: Path) -> str:
    md5 = hashlib.md5()
    with open(path, 'rb') as f:
        while chunk := f.read(1 << 20):
            md5.update(chunk)
    return md5.hexdigest()


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """Read an unpacked idx file of unsigned bytes (magic 0x0000 08 <ndim>) into uint8 [N, ...]."""
    data = path.read_bytes()
    header = 4 * (1 + ndim)
    if len(data) < header or data[:3] != b'\x00\x00\x08' or data[3] != ndim:
        raise DataError(f'{path}: not an idx file of {ndim}-D unsigned bytes '
                        f'(header {data[:4].hex() or "empty"})')
    shape = tuple(int.from_bytes(data[4 * (i + 1):4 * (i + 2)], 'big') for i in range(ndim))
    if len(data) != header + int(np.prod(shape)):
        raise DataError(f'{path}: header says shape {shape}, i.e. {header + int(np.prod(shape))} '
                        f'bytes, the file has {len(data)}')
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def install_files(found: Mapping[str, Path], root: Path, md5s: Mapping[str, str]) -> None:
    """Unpack the four files into ``root`` and check their md5s; DataError names a bad file."""
    for name in FILES:
        src = found[name]
        try:
            got = unpack(src, root / name)
        except (OSError, EOFError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
            raise DataError(f'{src}: cannot read it ({err}).\n{HOW_TO_GET}') from err
        status = 'OK' if got == md5s[name] else 'MISMATCH'
        how = 'unpacked from' if src.suffix == '.gz' else 'copied from'
        print(f'md5 {status:8s} {name:24s} {got} (expected {md5s[name]}, {how} {src.name})',
              flush=True)
        if got != md5s[name]:
            raise DataError(f'{src}: the md5 of the unpacked {name} is {got}, expected '
                            f'{md5s[name]}: the file is corrupt or not the official '
                            f'Fashion-MNIST.\n{HOW_TO_GET}')


def load_arrays(root: Path) -> dict[str, np.ndarray]:
    """The four files of ``root`` as arrays, checked for consistent sizes and labels 0..9."""
    arrays = {TRAIN_IMAGES: read_idx(root / TRAIN_IMAGES, 3),
              TRAIN_LABELS: read_idx(root / TRAIN_LABELS, 1),
              TEST_IMAGES: read_idx(root / TEST_IMAGES, 3),
              TEST_LABELS: read_idx(root / TEST_LABELS, 1)}
    for images, labels in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        if len(arrays[images]) != len(arrays[labels]):
            raise DataError(f'{root / images} holds {len(arrays[images])} images but '
                            f'{root / labels} {len(arrays[labels])} labels')
        if arrays[labels].size and arrays[labels].max() >= len(CLASSES):
            raise DataError(f'{root / labels}: label {arrays[labels].max()} outside 0..9')
    return arrays


# ----------------------------------------------------------------------------- the split
def split_train(labels: np.ndarray, val_per_class: int, seed: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split of ``range(len(labels))`` into (train, val), both ascending int64.

    Of each class, the ``val_per_class`` images whose BLAKE2b hash of ``f'{seed}:{index}'`` is
    smallest go to val: the split depends only on the seed and the labels, on any machine.
    """
    val = []
    for c in range(len(CLASSES)):
        members = np.flatnonzero(labels == c)
        if len(members) <= val_per_class:
            raise DataError(f'class {c} ({CLASSES[c]}) has {len(members)} training images; '
                            f'cannot hold out {val_per_class} and train on the rest')
        keys = np.array([int.from_bytes(hashlib.blake2b(f'{seed}:{i}'.encode(), digest_size=8)
                                        .digest(), 'big') for i in members], dtype=np.uint64)
        val.append(members[np.argsort(keys, kind='stable')[:val_per_class]])
    val_idx = np.sort(np.concatenate(val)).astype(np.int64)
    train_mask = np.ones(len(labels), bool)
    train_mask[val_idx] = False
    return np.flatnonzero(train_mask).astype(np.int64), val_idx


def pixel_stats(images: np.ndarray) -> tuple[float, float]:
    """Mean and (population) std of all pixels of uint8 ``images``, on the 0..255 scale, exactly."""
    hist = np.zeros(256, np.int64)
    for start in range(0, len(images), 4096):  # bincount makes int64 copies: keep them small
        hist += np.bincount(images[start:start + 4096].ravel(), minlength=256)
    hist = hist.astype(object)  # Python ints below: no overflow
    values = np.arange(256, dtype=object)
    n = int(hist.sum())
    total, squares = int((hist * values).sum()), int((hist * values * values).sum())
    mean = total / n
    return mean, max(squares / n - mean * mean, 0.0) ** 0.5


def write_split(root: Path, arrays: Mapping[str, np.ndarray], val_per_class: int, seed: int
                ) -> dict:
    """Write meta/train.txt, meta/val.txt and meta/split.json into ``root``; returns the json."""
    labels = arrays[TRAIN_LABELS].astype(np.int64)
    train_idx, val_idx = split_train(labels, val_per_class, seed)
    (root / 'meta').mkdir()
    for name, idx in (('train', train_idx), ('val', val_idx)):
        (root / 'meta' / f'{name}.txt').write_text(''.join(f'{i}\n' for i in idx))
    mean, std = pixel_stats(arrays[TRAIN_IMAGES][train_idx])
    split_labels = {'train': labels[train_idx], 'val': labels[val_idx],
                    'test': arrays[TEST_LABELS].astype(np.int64)}
    info = {
        'classes': list(CLASSES),
        'seed': seed,
        'val_per_class': val_per_class,
        'sizes': {s: int(len(y)) for s, y in split_labels.items()},
        'per_class': {s: np.bincount(y, minlength=len(CLASSES)).tolist()
                      for s, y in split_labels.items()},
        'image_shape': list(arrays[TRAIN_IMAGES].shape[1:]),
        'train_mean': round(mean, 4),
        'train_std': round(std, 4),
    }
    # one top-level key a line, its value on that line: short, diffable, still plain JSON
    (root / 'meta' / 'split.json').write_text(
        '{\n' + ',\n'.join(f'  {json.dumps(k)}: {json.dumps(v)}' for k, v in info.items())
        + '\n}\n')
    return info


# ----------------------------------------------------------------------------- the installed set
def installed_split(out: Path, md5s: Mapping[str, str]) -> dict | None:
    """The split.json of ``out`` if it is a complete set whose four files have the right md5s."""
    if not all((out / name).is_file() for name in (*FILES, 'MD5SUMS', *SPLIT_FILES)):
        return None
    if any(file_md5(out / name) != md5s[name] for name in FILES):
        return None
    try:
        return json.loads((out / 'meta' / 'split.json').read_text())
    except ValueError:
        return None


def build(root: Path, found: Mapping[str, Path], md5s: Mapping[str, str], val_per_class: int,
          seed: int) -> dict:
    """Write the whole set into the empty folder ``root``; returns the split.json content."""
    install_files(found, root, md5s)
    (root / 'MD5SUMS').write_text(''.join(f'{md5s[name]}  {name}\n' for name in FILES))
    return write_split(root, load_arrays(root), val_per_class, seed)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--source', type=Path, help='folder holding the four (gzipped) files')
    parser.add_argument('--out', type=Path, default=Path('data/fashion_mnist'),
                        help='output folder')
    parser.add_argument('--val-per-class', type=int, default=1000,
                        help='training images per class held out for the generator and search')
    parser.add_argument('--seed', type=int, default=0, help='seed of the held-out split')
    parser.add_argument('--force', action='store_true', help='replace an existing --out')
    args = parser.parse_args(argv)
    if args.val_per_class < 1:
        parser.error('--val-per-class must be positive')
    return args


def main(argv: list[str] | None = None, *, md5s: Mapping[str, str] = OFFICIAL_MD5,
         system_dir: Path = SYSTEM_DIR) -> None:
    """Command line entry; ``md5s`` and ``system_dir`` are replaceable for tests."""
    args = parse_args(argv)
    out = args.out
    existing = installed_split(out, md5s) if out.exists() and not args.force else None
    if existing is not None and (existing.get('seed'), existing.get('val_per_class')) != (
            args.seed, args.val_per_class):
        raise SystemExit(f'{out} holds a split with --seed {existing.get("seed")} '
                         f'--val-per-class {existing.get("val_per_class")}; pass --force to '
                         'replace it')
    if not should_build(out, args.force, lambda _: existing is not None):
        return
    start = time.perf_counter()
    try:
        with ExitStack() as stack:
            def workdir() -> Path:
                return Path(stack.enter_context(
                    tempfile.TemporaryDirectory(prefix='fashion-mnist-deb-')))

            found, origin = locate(args.source, Path(system_dir), workdir)
            print(f'Fashion-MNIST from {origin}', flush=True)
            with atomic_directory(out) as tmp:
                info = build(tmp, found, md5s, args.val_per_class, args.seed)
    except DataError as err:
        raise SystemExit(f'make_fashion_mnist: {err}') from None
    for split in ('train', 'val', 'test'):
        counts = info['per_class'][split]
        print(f'{split:5s} {info["sizes"][split]:6d} images, per class {min(counts)}..'
              f'{max(counts)}: {counts}')
    print(f'train split pixels (0..255): mean {info["train_mean"]}, std {info["train_std"]}')
    print(f'wrote {out} in {time.perf_counter() - start:.1f}s')


if __name__ == '__main__':
    main()
