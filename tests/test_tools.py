import os
import subprocess
import sys

import pytest

from mmsgnas.space import Arch, MacroSpec, save_subnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_get_flops_prints_flops_and_params_last(tmp_path):
    path = tmp_path / 'net.yaml'
    save_subnet(path, Arch([[3, 5, 7]] * 19))
    out = subprocess.run([sys.executable, os.path.join(ROOT, 'tools/analysis/get_flops.py'),
                          str(path)], capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    assert lines[-2].startswith('FLOPs (M): ') and lines[-1].startswith('Params (M): ')
    flops = float(lines[-2].split(': ')[1])
    assert flops == pytest.approx(271.7161, abs=1e-4)   # same as the look-up table line
    assert f'Look-up table FLOPs (M): {flops:.4f}' in out


def test_supernet_params_tool_counts_real_modules():
    sys.path.insert(0, os.path.join(ROOT, 'tools/analysis'))
    try:
        from supernet_params import supernet_params
    finally:
        sys.path.pop(0)
    counts = supernet_params(MacroSpec())
    unified = counts['unified (80 choices/layer)']
    from mmsgnas.models import UnifiedSupernet
    assert unified == sum(p.numel() for p in UnifiedSupernet().parameters()) + 1280 * 1000 + 1000
    # one-block-per-choice supernets grow with the candidates, the unified one does not
    assert unified < counts['multi-branch, 6 candidates/layer'] < \
        counts['multi-branch, 13 candidates/layer'] < counts['multi-branch, 80 candidates/layer']
    assert counts['multi-branch, 80 candidates/layer'] / unified > 30
