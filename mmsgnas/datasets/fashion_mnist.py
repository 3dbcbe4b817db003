"""Fashion-MNIST in supernet-train / held-out / test splits, as tools/data/make_fashion_mnist.py
installs it.

mmpretrain's ``FashionMNIST`` reads the unpacked idx files into memory (no image files are decoded
per epoch) and, with ``download=False``, never touches the network. This subclass keeps its
reader, file names and class names, adds the project's fixed held-out split and gives 3-channel
images.
"""
from __future__ import annotations

import os.path as osp
import warnings

import numpy as np
from mmpretrain.datasets import FashionMNIST
from mmpretrain.datasets.mnist import read_image_file, read_label_file
from mmpretrain.datasets.utils import rm_suffix

from mmsgnas.registry import DATASETS

FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte',
         't10k-labels-idx1-ubyte')
MAKE_COMMAND = '.venv/bin/python tools/data/make_fashion_mnist.py'


def read_indices(path: str) -> np.ndarray:
    """The ascending, duplicate-free int64 indices of a split file (one a line)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} not found: the split files come from `{MAKE_COMMAND}`')
    with open(path) as f:
        text = f.read()
    try:
        indices = np.array(text.split(), dtype=np.int64)
    except ValueError as err:
        raise ValueError(f'{path}: expected one integer index a line ({err})') from None
    if len(indices) and not (np.diff(indices) > 0).all():
        raise ValueError(f'{path}: indices must be strictly ascending')
    return indices


@DATASETS.register_module()
class FashionMNISTSplit(FashionMNIST):
    """One split of Fashion-MNIST, held in memory.

    Each item is ``{'img': uint8 [28, 28, 3] (or [28, 28]), 'gt_label': int}``: the pipeline
    starts without ``LoadImageFromFile``.

    Args:
        data_root: the folder ``tools/data/make_fashion_mnist.py`` wrote (``data/fashion_mnist``).
        split: ``'train'`` — the official training images listed in ``meta/train.txt`` (supernet
            training); ``'val'`` — those in ``meta/val.txt``, the held-out split for generator
            training and for scoring search candidates; ``'test'`` — the 10,000 official test
            images, for reporting only. ``train`` and ``val`` must partition the training images.
        channels: 3 repeats the grey channel (the networks' stems take RGB); 1 keeps [H, W].
        **kwargs: further ``BaseDataset`` arguments (``pipeline``, ``classes``, ``indices``,
            ``serialize_data``, ``lazy_init``, ...).
    """

    SPLITS = ('train', 'val', 'test')

    def __init__(self, data_root: str, split: str = 'train', channels: int = 3, **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'split must be one of {self.SPLITS}, got {split!r}')
        if channels not in (1, 3):
            raise ValueError(f'channels must be 1 or 3, got {channels!r}')
        fixed = sorted({'data_prefix', 'test_mode', 'download', 'ann_file'} & kwargs.keys())
        if fixed:
            raise TypeError(f'FashionMNISTSplit sets {", ".join(fixed)} itself (from split=)')
        self._split = split  # the parent overwrites self.split with its own 'train' / 'test'
        self.channels = channels
        # mmpretrain 1.2.0's MNIST.load_data_list picks the files by test_mode, not by split:
        # FashionMNIST(split='test') alone would read the training files.
        super().__init__(data_root=data_root, split='test' if split == 'test' else 'train',
                         test_mode=split == 'test', data_prefix='', download=False, **kwargs)
        self.split = split

    def load_data_list(self) -> list[dict]:
        """``{'img', 'gt_label'}`` of every image of this split, read with mmpretrain's reader.

        mmpretrain's own ``load_data_list`` is not called: it picks the files by ``test_mode``
        and converts every label through a torch scalar (a NumPy 2 DeprecationWarning per image).
        """
        root = self.data_prefix['root']
        missing = [name for name in FILES if not osp.isfile(osp.join(root, name))]
        if missing:
            raise FileNotFoundError(
                f'Fashion-MNIST is not installed in {root}: missing {", ".join(missing)}. '
                f'Run `{MAKE_COMMAND} --out {root}` (see tools/data/README.md)')
        (images_gz, _), (labels_gz, _) = self.test_list if self._split == 'test' else \
            self.train_list
        with warnings.catch_warnings():
            # the reader wraps read-only bytes in a tensor; nothing here writes to it
            warnings.filterwarnings('ignore', message='The given NumPy array is not writable')
            images = read_image_file(osp.join(root, rm_suffix(images_gz))).numpy()
            labels = read_label_file(osp.join(root, rm_suffix(labels_gz))).numpy()
        if len(images) != len(labels):
            raise ValueError(f'{root}: {len(images)} images but {len(labels)} labels in '
                             f'{rm_suffix(images_gz)} / {rm_suffix(labels_gz)}')
        if self._split == 'test':
            indices = range(len(labels))
        else:
            indices = self._split_indices(osp.join(root, 'meta'), len(labels))
        return [{'img': images[i], 'gt_label': int(labels[i])} for i in indices]

    def _split_indices(self, meta: str, num_train: int) -> np.ndarray:
        """This split's indices, once meta/train.txt and val.txt are seen to partition the set."""
        train, val = (read_indices(osp.join(meta, f'{s}.txt')) for s in ('train', 'val'))
        covered = np.zeros(num_train, np.int64)
        for name, indices in (('train', train), ('val', val)):
            if len(indices) and (indices[0] < 0 or indices[-1] >= num_train):
                raise ValueError(f'{osp.join(meta, name + ".txt")}: indices must lie in '
                                 f'0..{num_train - 1}')
            covered[indices] += 1
        if not (covered == 1).all():
            raise ValueError(f'{meta}/train.txt and val.txt must split the {num_train} training '
                             f'images into two disjoint parts; {(covered != 1).sum()} images are '
                             f'in neither or both. Rebuild with `{MAKE_COMMAND} --force`')
        return train if self._split == 'train' else val

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        if self.channels == 3:
            info['img'] = np.repeat(info['img'][..., None], 3, axis=2)
        return info
