"""Tests of tools/data: digit splits, the ImageNet-format and the COCO-format writers."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'tools' / 'data'))

import digits_source  # noqa: E402
import make_digits_coco  # noqa: E402
import make_digits_imagenet  # noqa: E402

CLASSES = tuple(str(c) for c in range(10))
COCO_ARGS = ['--num-train', '20', '--num-val', '10']


def snapshot(root: Path) -> dict[str, bytes]:
    """{relative path: bytes} of every file under ``root``."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob('*')) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith('.'))


@pytest.fixture(scope='module')
def imagenet_root(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp('imagenet') / 'digits'
    make_digits_imagenet.main(['--out', str(out), '--size', '16'])
    return out


@pytest.fixture(scope='module')
def coco_root(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp('coco') / 'digits_coco'
    make_digits_coco.main(['--out', str(out), *COCO_ARGS])
    return out


# ----------------------------------------------------------------------------- splits
def test_splits_disjoint_complete_stratified():
    from sklearn.datasets import load_digits

    labels = load_digits().target
    idx = digits_source.split_indices(labels, seed=0)
    all_idx = np.concatenate([idx[s] for s in ('train', 'val', 'test')])
    assert len(all_idx) == 1797 and len(np.unique(all_idx)) == 1797  # disjoint and complete
    for c in range(10):
        n_c = int((labels == c).sum())
        for split, frac in zip(('train', 'val', 'test'), (0.6, 0.2, 0.2)):
            assert abs(int((labels[idx[split]] == c).sum()) - frac * n_c) <= 1

    splits = digits_source.load_digit_splits(seed=0)
    images = load_digits().images / 16.0
    for split, (x, y) in splits.items():
        assert x.dtype == np.float32 and x.shape == (len(idx[split]), 8, 8)
        assert y.dtype == np.int64 and 0 <= x.min() and x.max() <= 1
        np.testing.assert_array_equal(y, labels[idx[split]])
        np.testing.assert_allclose(x, images[idx[split]], atol=1e-6)

    other = digits_source.split_indices(labels, seed=1)
    assert not np.array_equal(other['train'], idx['train'])
    again = digits_source.split_indices(labels, seed=0)
    assert all(np.array_equal(again[s], idx[s]) for s in idx)


def test_render_digit():
    image = np.zeros((8, 8), np.float32)
    image[2:6, 3:5] = 1.0
    out = digits_source.render_digit(image, 24)
    assert out.shape == (24, 24, 3) and out.dtype == np.uint8
    assert out.max() == 255 and out[0, 0].tolist() == [0, 0, 0]  # bright ink, dark background
    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()


# ----------------------------------------------------------------------------- ImageNet
def test_imagenet_layout_loads_with_mmpretrain(imagenet_root):
    from mmpretrain.datasets import CustomDataset, ImageNet

    sizes = {s: len(y) for s, (_, y) in digits_source.load_digit_splits(0).items()}
    classes = str(imagenet_root / 'classes.txt')  # mmpretrain does not join it with data_root
    assert (imagenet_root / 'classes.txt').read_text().split() == list(CLASSES)
    for split in ('train', 'val'):
        ds = ImageNet(data_root=str(imagenet_root), split=split, classes=classes)
        assert len(ds) == sizes[split]
        assert ds.metainfo['classes'] == CLASSES
        labels = [ds.get_data_info(i)['gt_label'] for i in range(len(ds))]
        assert set(labels) == set(range(10))
        assert all(Path(ds.get_data_info(i)['img_path']).is_file() for i in range(len(ds)))
    # ImageNet(split='test') forces with_label=False, so the labelled test split goes through
    # CustomDataset.
    ds = CustomDataset(data_root=str(imagenet_root), data_prefix='test', ann_file='meta/test.txt',
                       with_label=True, classes=classes)
    assert len(ds) == sizes['test']
    info = ds.get_data_info(0)
    assert Path(info['img_path']).is_file() and 0 <= info['gt_label'] <= 9
    assert info['gt_label'] == int(Path(info['img_path']).parent.name)


def test_imagenet_image_format(imagenet_root):
    from PIL import Image

    line = (imagenet_root / 'meta' / 'train.txt').read_text().splitlines()[0]
    with Image.open(imagenet_root / 'train' / line.split()[0]) as im:
        assert im.mode == 'RGB' and im.size == (16, 16)


def test_imagenet_deterministic(tmp_path, imagenet_root):
    make_digits_imagenet.main(['--out', str(tmp_path / 'a'), '--size', '16'])
    make_digits_imagenet.main(['--out', str(tmp_path / 'b'), '--size', '16', '--seed', '1'])
    reference = snapshot(imagenet_root)
    assert snapshot(tmp_path / 'a') == reference
    assert snapshot(tmp_path / 'b') != reference
    assert leftovers(tmp_path) == []


def test_imagenet_existing_and_force(tmp_path, imagenet_root, capsys):
    out = tmp_path / 'digits'
    make_digits_imagenet.main(['--out', str(out), '--size', '8'])
    before = snapshot(out)
    make_digits_imagenet.main(['--out', str(out), '--size', '16'])  # complete: left alone
    assert 'complete' in capsys.readouterr().out and snapshot(out) == before
    make_digits_imagenet.main(['--out', str(out), '--size', '16', '--force'])
    assert snapshot(out) == snapshot(imagenet_root)
    assert leftovers(tmp_path) == []

    partial = tmp_path / 'partial'
    partial.mkdir()
    (partial / 'keep.txt').write_text('x')
    with pytest.raises(SystemExit):
        make_digits_imagenet.main(['--out', str(partial)])
    assert snapshot(partial) == {'keep.txt': b'x'}


def _fail_after(n: int, real):
    calls = {'n': 0}

    def fake(*args, **kwargs):
        calls['n'] += 1
        if calls['n'] > n:
            raise RuntimeError('simulated crash')
        return real(*args, **kwargs)

    return fake


@pytest.mark.parametrize('module,args', [(make_digits_imagenet, ['--size', '8']),
                                         (make_digits_coco, COCO_ARGS)])
def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch, module, args):
    out = tmp_path / 'set'
    monkeypatch.setattr(module, 'save_png', _fail_after(5, module.save_png))
    with pytest.raises(RuntimeError, match='simulated'):
        module.main(['--out', str(out), *args])
    assert not out.exists() and list(tmp_path.iterdir()) == []

    monkeypatch.undo()
    module.main(['--out', str(out), *args])
    before = snapshot(out)
    monkeypatch.setattr(module, 'save_png', _fail_after(5, module.save_png))
    with pytest.raises(RuntimeError, match='simulated'):
        module.main(['--out', str(out), *args, '--force', '--seed', '3'])
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ['set']


# ----------------------------------------------------------------------------- COCO
def test_coco_annotations(coco_root):
    from pycocotools.coco import COCO

    from PIL import Image

    for split, num in (('train', 20), ('val', 10)):
        coco = COCO(str(coco_root / 'annotations' / f'instances_{split}.json'))
        assert len(coco.getImgIds()) == num
        assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == list(CLASSES)
        assert coco.getCatIds() == list(range(1, 11))
        for img in coco.loadImgs(coco.getImgIds()):
            with Image.open(coco_root / split / img['file_name']) as im:
                assert im.mode == 'RGB' and im.size == (img['width'], img['height']) == (128, 128)
            anns = coco.loadAnns(coco.getAnnIds(imgIds=img['id']))
            assert 1 <= len(anns) <= 5
            boxes = []
            for a in anns:
                x, y, w, h = a['bbox']
                assert all(isinstance(v, float) for v in a['bbox'])
                assert 0 <= x and 0 <= y and x + w <= 128 and y + h <= 128
                assert 1 <= w <= 48 and 1 <= h <= 48 and max(w, h) >= 4
                assert a['area'] == w * h and a['iscrowd'] == 0 and 1 <= a['category_id'] <= 10
                boxes.append((x, y, x + w, y + h))
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_coco_box_is_tight_ink(coco_root):
    from PIL import Image

    data = json.loads((coco_root / 'annotations' / 'instances_val.json').read_text())
    ann = data['annotations'][0]
    x, y, w, h = (int(v) for v in ann['bbox'])
    with Image.open(coco_root / 'val' / '000000.png') as im:
        ink = np.asarray(im)[..., 0] > make_digits_coco.INK_THRESHOLD
    crop = ink[y:y + h, x:x + w]
    assert crop[0].any() and crop[-1].any() and crop[:, 0].any() and crop[:, -1].any()


def test_coco_scans_do_not_leak(tmp_path, monkeypatch):
    splits = digits_source.load_digit_splits(0)
    test_scans = {x.tobytes() for x in splits['test'][0]}
    trainval_scans = {x.tobytes() for s in ('train', 'val') for x in splits[s][0]}
    used = {'train': [], 'val': []}
    current = []
    real_split, real_render = make_digits_coco.write_split, make_digits_coco.render_digit

    def write_split(root, split, *args):
        current[:] = [make_digits_coco.COCO_SPLITS[split]]
        return real_split(root, split, *args)

    def render(image, size):
        used[current[0]].append(np.asarray(image, np.float32).tobytes())
        return real_render(image, size)

    monkeypatch.setattr(make_digits_coco, 'write_split', write_split)
    monkeypatch.setattr(make_digits_coco, 'render_digit', render)
    make_digits_coco.main(['--out', str(tmp_path / 'c'), *COCO_ARGS])
    assert used['train'] and used['val']
    assert set(used['train']) <= trainval_scans and set(used['val']) <= test_scans


def test_coco_deterministic(tmp_path, coco_root):
    make_digits_coco.main(['--out', str(tmp_path / 'a'), *COCO_ARGS])
    make_digits_coco.main(['--out', str(tmp_path / 'b'), *COCO_ARGS, '--seed', '1'])
    reference = snapshot(coco_root)
    assert snapshot(tmp_path / 'a') == reference
    assert snapshot(tmp_path / 'b') != reference
    assert leftovers(tmp_path) == []


def test_coco_loads_with_mmdet(coco_root):
    from mmdet.datasets import CocoDataset
    from mmdet.utils import register_all_modules

    register_all_modules()
    ds = CocoDataset(data_root=str(coco_root), ann_file='annotations/instances_val.json',
                     data_prefix=dict(img='val/'), metainfo=dict(classes=CLASSES), pipeline=[])
    data = json.loads((coco_root / 'annotations' / 'instances_val.json').read_text())
    assert len(ds) == len(data['images']) == 10
    assert sum(len(ds[i]['instances']) for i in range(len(ds))) == len(data['annotations'])
    first = ds[0]
    assert Path(first['img_path']).is_file()
    labels = {a['category_id'] - 1 for a in data['annotations'] if a['image_id'] == first['img_id']}
    assert {inst['bbox_label'] for inst in first['instances']} == labels
