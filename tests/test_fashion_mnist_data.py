"""Tests of tools/data/make_fashion_mnist.py and mmsgnas.FashionMNISTSplit.

All but the last test use tiny fake idx files with their own md5 table, so they need neither the
real data nor the network. The last one checks the real data (data/fashion_mnist, or installed into a temporary folder).
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools' / 'data'))

import make_fashion_mnist as fm  # noqa: E402

CONFIG = ROOT / 'configs' / '_base_' / 'datasets' / 'fashion_mnist_bs64.py'
TRAIN_PER_CLASS, TEST_PER_CLASS, VAL_PER_CLASS = 5, 2, 2


# ----------------------------------------------------------------------------- fake data
def idx_bytes(array: np.ndarray) -> bytes:
    """An idx file of unsigned bytes holding ``array``."""
    header = bytes([0, 0, 8, array.ndim]) + b''.join(
        int(d).to_bytes(4, 'big') for d in array.shape)
    return header + np.ascontiguousarray(array, np.uint8).tobytes()


def fake_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    """Small stand-ins for the four files: 28x28 images, every class present, labels shuffled.

    Pixel (0, 0) of image i is i, so a test can tell which image it got.
    """
    rng = np.random.default_rng(seed)
    arrays = {}
    for (images, labels), per_class in (((fm.TRAIN_IMAGES, fm.TRAIN_LABELS), TRAIN_PER_CLASS),
                                        ((fm.TEST_IMAGES, fm.TEST_LABELS), TEST_PER_CLASS)):
        y = rng.permutation(np.repeat(np.arange(10), per_class)).astype(np.uint8)
        x = rng.integers(0, 256, (len(y), 28, 28), dtype=np.uint8)
        x[:, 0, 0] = np.arange(len(y))
        arrays[images], arrays[labels] = x, y
    return arrays


def write_source(folder: Path, arrays: dict[str, np.ndarray], gz: bool = True) -> dict[str, str]:
    """Write the four files (gzipped as upstream ships them, or not); returns their md5 table."""
    folder.mkdir(parents=True, exist_ok=True)
    md5s = {}
    for name, array in arrays.items():
        data = idx_bytes(array)
        md5s[name] = hashlib.md5(data).hexdigest()
        if gz:
            (folder / f'{name}.gz').write_bytes(gzip.compress(data, mtime=0))
        else:
            (folder / name).write_bytes(data)
    return md5s


@pytest.fixture
def source(tmp_path) -> tuple[Path, dict[str, str], dict[str, np.ndarray]]:
    arrays = fake_arrays()
    return tmp_path / 'src', write_source(tmp_path / 'src', arrays), arrays


@pytest.fixture
def no_apt(monkeypatch):
    """Fail the test if the Debian package is fetched."""
    def fetch(workdir):
        raise AssertionError('the Debian package must not be fetched here')

    monkeypatch.setattr(fm, 'fetch_debian_package', fetch)


def run(args: list[str], md5s: dict[str, str], system_dir: Path) -> None:
    fm.main([*args, '--val-per-class', str(VAL_PER_CLASS)], md5s=md5s, system_dir=system_dir)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob('*')) if p.is_file()}


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith('.'))


def read_split(out: Path, name: str) -> np.ndarray:
    return np.array((out / 'meta' / f'{name}.txt').read_text().split(), np.int64)


# ----------------------------------------------------------------------------- the tool
def test_installs_unpacked_verified_files_and_split(tmp_path, source, no_apt, capsys):
    src, md5s, arrays = source
    out = tmp_path / 'fashion_mnist'
    run(['--source', str(src), '--out', str(out)], md5s, tmp_path / 'no_system')
    for name, array in arrays.items():
        assert (out / name).read_bytes() == idx_bytes(array)
    assert (out / 'MD5SUMS').read_text() == ''.join(f'{md5s[n]}  {n}\n' for n in fm.FILES)
    printed = capsys.readouterr().out
    assert all(f'md5 OK       {n:24s} {md5s[n]}' in printed for n in fm.FILES)

    train, val = read_split(out, 'train'), read_split(out, 'val')
    labels = arrays[fm.TRAIN_LABELS]
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(len(labels)))
    assert np.bincount(labels[val], minlength=10).tolist() == [VAL_PER_CLASS] * 10
    assert np.bincount(labels[train], minlength=10).tolist() == \
        [TRAIN_PER_CLASS - VAL_PER_CLASS] * 10

    import json
    info = json.loads((out / 'meta' / 'split.json').read_text())
    pixels = arrays[fm.TRAIN_IMAGES][train].astype(np.float64)
    assert info['train_mean'] == round(pixels.mean(), 4)
    assert info['train_std'] == round(pixels.std(), 4)
    assert info['sizes'] == {'train': 30, 'val': 20, 'test': 20}
    assert info['per_class']['test'] == [TEST_PER_CLASS] * 10
    assert (info['seed'], info['val_per_class'], info['classes']) == (0, 2, list(fm.CLASSES))
    assert hidden(tmp_path) == []


def test_source_order(tmp_path, source, monkeypatch):
    src, md5s, arrays = source
    system = tmp_path / 'system'
    bad = dict(arrays, **{fm.TEST_LABELS: arrays[fm.TEST_LABELS][::-1].copy()})
    write_source(system, bad, gz=False)  # complete but wrong: taking it would fail the md5 check
    fetched = []
    monkeypatch.setattr(fm, 'fetch_debian_package', lambda workdir: fetched.append(workdir))

    # 1. --source comes first, even when the system folder is complete
    run(['--source', str(src), '--out', str(tmp_path / 'a')], md5s, system)
    # ... also as a `dpkg-deb -x` tree
    deb_tree = tmp_path / 'extracted'
    shutil.copytree(src, deb_tree / fm.DEB_SUBDIR)
    run(['--source', str(deb_tree), '--out', str(tmp_path / 'b')], md5s, system)
    # ... and a named folder lacking a file is an error, not a fall-back
    (deb_tree / fm.DEB_SUBDIR / f'{fm.TRAIN_LABELS}.gz').unlink()
    with pytest.raises(SystemExit, match=f'missing {fm.TRAIN_LABELS}') as err:
        run(['--source', str(deb_tree), '--out', str(tmp_path / 'c')], md5s, system)
    assert 'apt-get install -y dataset-fashion-mnist' in str(err.value)
    assert not (tmp_path / 'c').exists() and fetched == []

    # 2. then the system folder
    write_source(system, arrays, gz=False)
    run(['--out', str(tmp_path / 'd')], md5s, system)
    assert fetched == []
    assert snapshot(tmp_path / 'a') == snapshot(tmp_path / 'b') == snapshot(tmp_path / 'd')


def test_debian_package_is_the_last_resort(tmp_path, source, monkeypatch):
    src, md5s, _ = source
    system = tmp_path / 'system'
    system.mkdir()
    (system / f'{fm.TRAIN_IMAGES}.gz').write_bytes((src / f'{fm.TRAIN_IMAGES}.gz').read_bytes())
    workdirs = []

    def fetch(workdir: Path) -> Path:
        assert workdir.is_dir() and list(workdir.iterdir()) == []
        workdirs.append(workdir)
        shutil.copytree(src, workdir / 'root' / fm.DEB_SUBDIR)
        return workdir / 'root' / fm.DEB_SUBDIR

    monkeypatch.setattr(fm, 'fetch_debian_package', fetch)
    monkeypatch.setattr(fm.shutil, 'which', lambda name: f'/usr/bin/{name}')
    run(['--out', str(tmp_path / 'out')], md5s, system)  # the system folder is incomplete
    assert len(workdirs) == 1 and not workdirs[0].exists()  # the temporary folder is gone
    assert (tmp_path / 'out' / 'MD5SUMS').is_file()

    monkeypatch.setattr(fm.shutil, 'which', lambda name: None)  # no apt: say how to get it
    with pytest.raises(SystemExit) as err:
        run(['--out', str(tmp_path / 'other')], md5s, tmp_path / 'nothing')
    message = str(err.value)
    for needed in ('no --source given', 'apt-get install -y dataset-fashion-mnist',
                   'apt-get download dataset-fashion-mnist', 'dpkg-deb -x',
                   'https://github.com/zalandoresearch/fashion-mnist'):
        assert needed in message
    assert len(workdirs) == 1 and not (tmp_path / 'other').exists()


@pytest.mark.skipif(shutil.which('dpkg-deb') is None, reason='dpkg-deb is not installed')
def test_fetch_debian_package_runs_apt_get_download_and_dpkg_deb(tmp_path, source, monkeypatch):
    """The real command lines, with a fake apt-get that hands out a .deb built here."""
    src, md5s, _ = source
    package = tmp_path / 'pkg'
    shutil.copytree(src, package / fm.DEB_SUBDIR)
    (package / 'DEBIAN').mkdir()
    (package / 'DEBIAN' / 'control').write_text(
        'Package: dataset-fashion-mnist\nVersion: 1\nArchitecture: all\n'
        'Maintainer: test <test@example.org>\nDescription: fake\n')
    deb = tmp_path / 'built.deb'
    subprocess.run(['dpkg-deb', '--root-owner-group', '-b', str(package), str(deb)], check=True,
                   capture_output=True)
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    apt = bin_dir / 'apt-get'
    apt.write_text('#!/bin/sh\n[ "$1 $2" = "download dataset-fashion-mnist" ] || exit 100\n'
                   f'cp "{deb}" ./dataset-fashion-mnist_1_all.deb\n')
    apt.chmod(0o755)
    monkeypatch.setenv('PATH', f'{bin_dir}{os.pathsep}{os.environ["PATH"]}')
    run(['--out', str(tmp_path / 'out')], md5s, tmp_path / 'no_system')
    assert snapshot(tmp_path / 'out')['MD5SUMS'].decode().count('  ') == 4

    apt.write_text('#!/bin/sh\necho "E: Unable to locate package $2" >&2\nexit 100\n')
    with pytest.raises(SystemExit, match='apt-get download dataset-fashion-mnist` failed'):
        run(['--out', str(tmp_path / 'out2')], md5s, tmp_path / 'no_system')
    assert not (tmp_path / 'out2').exists()


def test_md5_mismatch_is_refused_with_how_to_get_the_data(tmp_path, source, no_apt):
    src, md5s, arrays = source
    data = bytearray(idx_bytes(arrays[fm.TEST_IMAGES]))
    data[-1] ^= 0xFF
    (src / f'{fm.TEST_IMAGES}.gz').write_bytes(gzip.compress(bytes(data), mtime=0))
    out = tmp_path / 'out'
    with pytest.raises(SystemExit) as err:
        run(['--source', str(src), '--out', str(out)], md5s, tmp_path / 'no_system')
    message = str(err.value)
    for needed in (f'{fm.TEST_IMAGES}.gz', hashlib.md5(data).hexdigest(),
                   f'expected {md5s[fm.TEST_IMAGES]}', 'apt-get install -y dataset-fashion-mnist',
                   'apt-get download', 'https://github.com/zalandoresearch/fashion-mnist'):
        assert needed in message, needed
    assert not out.exists() and hidden(tmp_path) == []

    (src / f'{fm.TEST_IMAGES}.gz').write_bytes(b'\x1f\x8b\x08garbage')  # not even gzip
    with pytest.raises(SystemExit, match=f'{fm.TEST_IMAGES}.gz: cannot read it'):
        run(['--source', str(src), '--out', str(out)], md5s, tmp_path / 'no_system')
    assert not out.exists() and hidden(tmp_path) == []


def test_the_official_md5_table_is_the_default(tmp_path, source, no_apt):
    src, _, _ = source
    with pytest.raises(SystemExit, match='expected f4a8712d7a061bf5bd6d2ca38dc4d50a'):
        fm.main(['--source', str(src), '--out', str(tmp_path / 'out')],
                system_dir=tmp_path / 'no_system')


def test_atomic_install(tmp_path, source, no_apt, monkeypatch, capsys):
    src, md5s, _ = source
    nowhere = tmp_path / 'no_system'
    out = tmp_path / 'out'
    run(['--source', str(src), '--out', str(out)], md5s, nowhere)
    before = snapshot(out)

    run(['--source', str(src), '--out', str(out)], md5s, nowhere)  # complete: left alone
    assert 'complete; nothing to do' in capsys.readouterr().out and snapshot(out) == before
    with pytest.raises(SystemExit, match='--seed 0 --val-per-class 2; pass --force'):
        run(['--source', str(src), '--out', str(out), '--seed', '1'], md5s, nowhere)
    assert snapshot(out) == before

    run(['--source', str(src), '--out', str(out), '--force'], md5s, nowhere)  # byte-identical
    assert snapshot(out) == before
    run(['--source', str(src), '--out', str(tmp_path / 'seed1'), '--seed', '1'], md5s, nowhere)
    assert read_split(tmp_path / 'seed1', 'val').tolist() != read_split(out, 'val').tolist()

    # a crash half-way leaves the previous set (or nothing) and no temporary folder
    def crash(*args):
        raise RuntimeError('simulated crash')

    monkeypatch.setattr(fm, 'write_split', crash)
    with pytest.raises(RuntimeError, match='simulated'):
        run(['--source', str(src), '--out', str(out), '--force', '--seed', '3'], md5s, nowhere)
    assert snapshot(out) == before
    with pytest.raises(RuntimeError, match='simulated'):
        run(['--source', str(src), '--out', str(tmp_path / 'new')], md5s, nowhere)
    assert not (tmp_path / 'new').exists() and hidden(tmp_path) == []
    monkeypatch.undo()

    # a folder that is not a complete set is not replaced without --force
    (out / fm.TRAIN_LABELS).write_bytes(b'changed')
    with pytest.raises(SystemExit, match='not a complete data set'):
        run(['--source', str(src), '--out', str(out)], md5s, nowhere)
    assert (out / fm.TRAIN_LABELS).read_bytes() == b'changed'
    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    (foreign / 'keep.txt').write_text('x')
    with pytest.raises(SystemExit, match='not a complete data set'):
        run(['--source', str(src), '--out', str(foreign)], md5s, nowhere)
    assert snapshot(foreign) == {'keep.txt': b'x'}


# ----------------------------------------------------------------------------- the split
def test_split_is_stratified_seeded_and_pinned():
    labels = np.arange(600) % 10  # no random stream: the pinned hash below depends on fm only
    train, val = fm.split_train(labels, 20, seed=0)
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(600))
    assert np.bincount(labels[val]).tolist() == [20] * 10
    assert np.array_equal(fm.split_train(labels, 20, seed=0)[1], val)
    assert not np.array_equal(fm.split_train(labels, 20, seed=1)[1], val)
    # The split must not change between versions or machines: a change here moves every image.
    assert hashlib.md5(val.tobytes()).hexdigest() == '4ab815a336fc69b174d48de1ba4ef964'
    with pytest.raises(fm.DataError, match='class 0 .* has 60 training images'):
        fm.split_train(labels, 60, seed=0)


def test_pixel_stats_are_exact():
    images = np.random.default_rng(0).integers(0, 256, (7, 5, 5), dtype=np.uint8)
    mean, std = fm.pixel_stats(images)
    assert mean == pytest.approx(images.mean(), abs=1e-12)
    assert std == pytest.approx(images.astype(np.float64).std(), abs=1e-9)


# ----------------------------------------------------------------------------- the dataset
@pytest.fixture
def installed(tmp_path, source, no_apt) -> tuple[Path, dict[str, np.ndarray]]:
    src, md5s, arrays = source
    run(['--source', str(src), '--out', str(tmp_path / 'fm')], md5s, tmp_path / 'no_system')
    return tmp_path / 'fm', arrays


def build_split(data_root: Path, split: str, pipeline_key: str = 'train_dataloader', **kwargs):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import DATASETS

    cfg = Config.fromfile(str(CONFIG))
    dataset = cfg[pipeline_key].dataset
    dataset.update(data_root=str(data_root), split=split, **kwargs)
    with DefaultScope.overwrite_default_scope('mmpretrain'):  # as under mmpretrain's runtime
        return DATASETS.build(dataset)


@pytest.mark.parametrize('split', ['train', 'val', 'test'])
def test_dataset_yields_rgb_images_of_its_split(installed, split):
    out, arrays = installed
    if split == 'test':
        images, labels = arrays[fm.TEST_IMAGES], arrays[fm.TEST_LABELS]
    else:
        idx = read_split(out, split)
        images, labels = arrays[fm.TRAIN_IMAGES][idx], arrays[fm.TRAIN_LABELS][idx]
    ds = build_split(out, split, 'val_dataloader')  # the test pipeline: images as stored
    assert type(ds).__name__ == 'FashionMNISTSplit' and ds.split == split
    assert len(ds) == len(labels) and ds.metainfo['classes'] == fm.CLASSES
    for i in range(len(ds)):
        item = ds[i]
        x = item['inputs']
        assert tuple(x.shape) == (3, 28, 28) and str(x.dtype) == 'torch.uint8'
        assert (x[0] == x[1]).all() and (x[1] == x[2]).all()
        assert np.array_equal(x[0].numpy(), images[i])
        assert item['data_samples'].gt_label.tolist() == [labels[i]]


def test_dataset_train_pipeline_and_preprocessor(installed):
    import torch
    from mmengine.config import Config
    from mmpretrain.models import ClsDataPreprocessor

    out, arrays = installed
    ds = build_split(out, 'train')
    batch = [ds[i] for i in range(len(ds))]
    assert {tuple(b['inputs'].shape) for b in batch} == {(3, 28, 28)}
    labels = arrays[fm.TRAIN_LABELS][read_split(out, 'train')]
    assert [b['data_samples'].gt_label.item() for b in batch] == labels.tolist()
    cfg = Config.fromfile(str(CONFIG))
    preprocessor = ClsDataPreprocessor(**cfg.data_preprocessor)
    data = preprocessor({'inputs': [b['inputs'] for b in batch],
                         'data_samples': [b['data_samples'] for b in batch]})
    assert data['inputs'].shape == (len(batch), 3, 28, 28) and data['inputs'].dtype == torch.float32

    grey = build_split(out, 'val', channels=1)
    assert tuple(grey[0]['inputs'].shape) == (1, 28, 28)


def test_dataset_refuses_missing_or_inconsistent_files(installed, tmp_path):
    out, _ = installed
    with pytest.raises(FileNotFoundError, match='make_fashion_mnist.py'):
        build_split(tmp_path / 'absent', 'train')
    with pytest.raises(ValueError, match="split must be one of"):
        build_split(out, 'heldout')
    with pytest.raises(TypeError, match='test_mode'):
        build_split(out, 'train', test_mode=True)
    overlapping = np.sort(np.append(read_split(out, 'val'), read_split(out, 'train')[0]))
    (out / 'meta' / 'val.txt').write_text(''.join(f'{i}\n' for i in overlapping))
    with pytest.raises(ValueError, match='disjoint'):
        build_split(out, 'val')


# ----------------------------------------------------------------------------- the real data
INSTALLED = ROOT / 'data' / 'fashion_mnist'


@pytest.fixture(scope='module')
def real_data(tmp_path_factory) -> Path:
    """data/fashion_mnist when installed; otherwise the tool installs it into a temporary folder
    (from /usr/share/datasets/fashion-mnist or the Debian package, a few seconds). Skipped only
    when neither source can be had here, with the tool's message saying why."""
    if INSTALLED.is_dir():
        return INSTALLED
    out = tmp_path_factory.mktemp('fashion_mnist') / 'fashion_mnist'
    done = subprocess.run([sys.executable, str(ROOT / 'tools' / 'data' / 'make_fashion_mnist.py'),
                           '--out', str(out)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f'the real Fashion-MNIST files cannot be had here: {done.stderr[-600:]}')
    return out


def test_real_data(real_data):
    import json

    from mmengine.config import Config

    info = fm.installed_split(real_data, fm.OFFICIAL_MD5)
    assert info is not None, f'{real_data} is not a complete set with the official md5s'
    assert info['sizes'] == {'train': 50000, 'val': 10000, 'test': 10000}
    assert info['per_class'] == {'train': [5000] * 10, 'val': [1000] * 10, 'test': [1000] * 10}
    if (info['seed'], info['val_per_class']) == (0, 1000):  # the default split, on any machine
        assert hashlib.md5((real_data / 'meta' / 'val.txt').read_bytes()).hexdigest() == \
            '6e1e0939beb25ee3a3000b5fd6a61b58'
    cfg = Config.fromfile(str(CONFIG))
    assert cfg.data_preprocessor.mean == [round(info['train_mean'], 2)] * 3
    assert cfg.data_preprocessor.std == [round(info['train_std'], 2)] * 3
    assert json.loads((real_data / 'meta' / 'split.json').read_text()) == info

    labels = fm.read_idx(real_data / fm.TRAIN_LABELS, 1)
    val = read_split(real_data, 'val')
    ds = build_split(real_data, 'val', 'val_dataloader')
    assert len(ds) == 10000
    for i in (0, 4321, 9999):
        assert ds[i]['data_samples'].gt_label.item() == labels[val[i]]
    assert len(build_split(real_data, 'test', 'test_dataloader')) == 10000
