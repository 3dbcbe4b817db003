"""Side-by-side train-step benchmarks: every config and variant is timed, ratios are to the first."""
import json
import os
import subprocess
import sys

import pytest
from mmengine.config import Config

from mmsgnas.utils import benchmark_configs, benchmark_memory_formats, register_all_modules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, 'configs/demo/retrain_digits.py')
TOOL = os.path.join(ROOT, 'tools/analysis/benchmark_train_step.py')
TINY = {'train_dataloader.batch_size': 4}


@pytest.fixture(scope='module')
def digits_cfg(digits_workspace):
    """The retrain config at batch 4, run from a folder holding the digits data (the configs
    read ``data/digits`` relative to the cwd)."""
    cwd = os.getcwd()
    os.chdir(digits_workspace)
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(TINY)
    yield cfg
    os.chdir(cwd)


def test_configs_are_timed_side_by_side_with_ratios_to_the_first(digits_cfg):
    wide = digits_cfg.copy()
    wide.merge_from_dict({'train_dataloader.batch_size': 8})
    result = benchmark_configs({'a': digits_cfg, 'b': wide}, steps=2, warmup=0)
    assert list(result) == ['a', 'b']
    assert result['a']['ratio'] == 1.0
    assert result['a']['batch_size'] == 4 and result['b']['batch_size'] == 8
    for row in result.values():
        assert 0 < row['min_ms'] <= row['median_ms']
        assert row['median_ms_per_sample'] == pytest.approx(row['median_ms'] / row['batch_size'])
    assert result['b']['ratio'] == pytest.approx(result['b']['median_ms']
                                                 / result['a']['median_ms'])


def test_a_model_that_reads_the_runner_epoch_steps_at_the_start_of_training(digits_cfg):
    """Single-Path NAS reads the epoch for its cost delay; outside a runner the benchmark steps as
    the first epoch does (cost term on with no delay)."""
    search = Config.fromfile(os.path.join(ROOT, 'configs/single_path/single_path_digits.py'))
    search.merge_from_dict(dict(TINY, **{'model.cost.delay_epochs': 0}))
    result = benchmark_configs({'single_path': search, 'standalone': digits_cfg}, steps=1,
                               warmup=0)
    assert list(result) == ['single_path', 'standalone']
    assert all(row['median_ms'] > 0 for row in result.values())


def test_memory_formats_report_a_speedup(digits_cfg):
    result = benchmark_memory_formats(digits_cfg, steps=1, warmup=0)
    assert set(result) == {'contiguous', 'channels_last'}
    assert result['channels_last']['speedup'] == pytest.approx(
        result['contiguous']['median_ms'] / result['channels_last']['median_ms'])


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, TOOL, CONFIG, *args], capture_output=True, text=True,
                          cwd=os.getcwd())   # digits_cfg's folder


def test_tool_names_variants_and_refuses_bad_options(digits_cfg, tmp_path):
    out = tmp_path / 'r.json'
    done = run_tool('--steps', '1', '--warmup', '0',
                    '--variant', 'batch2', 'train_dataloader.batch_size=2',
                    '--cfg-options', 'train_dataloader.batch_size=4', '--out', str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert list(result) == ['retrain_digits', 'batch2']
    assert result['retrain_digits']['batch_size'] == 4 and result['batch2']['batch_size'] == 2
    bad = run_tool('--variant', 'bad', 'no-equals-sign')
    assert bad.returncode != 0 and 'expected KEY=VALUE' in bad.stderr
    taken = run_tool('--variant', 'retrain_digits', 'train_dataloader.batch_size=2')
    assert taken.returncode != 0 and 'the name is taken' in taken.stderr
