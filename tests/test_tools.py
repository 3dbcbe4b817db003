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


def generated(space, count=3):
    import random as _random
    from mmsgnas.engine.generation import GeneratedSubnet
    rng = _random.Random(0)
    table = space.cost_table(32, 10)
    out = []
    for index in range(count):
        arch = space.sample(rng)
        cost = table.arch_cost(arch)
        out.append(GeneratedSubnet(cost, arch, cost, arch, cost, 0, 0.1))
    return out


def test_generation_output_never_replaces_a_foreign_folder(tmp_path):
    from mmsgnas.engine import OutputFolderError, write_generation
    from mmsgnas.space import UnifiedSpace, load_subnet
    space = UnifiedSpace(dict(widen_factor=0.5, stem_stride=1, head_channels=256))
    checkpoints = tmp_path / 'checkpoints'
    checkpoints.mkdir()
    (checkpoints / 'epoch_60.pth').write_bytes(b'weights')
    with pytest.raises(OutputFolderError, match='not an earlier output'):
        write_generation(str(checkpoints), generated(space), {}, space)
    assert [p.name for p in checkpoints.iterdir()] == ['epoch_60.pth']
    assert [p.name for p in tmp_path.iterdir()] == ['checkpoints']   # nothing half-written
    out = tmp_path / 'generated'
    write_generation(str(out), generated(space, 3), {}, space)
    assert len(list(out.glob('subnet_*.yaml'))) == 3 and (out / 'generation.json').is_file()
    write_generation(str(out), generated(space, 2), {}, space)       # an earlier output: replaced
    files = sorted(p.name for p in out.glob('subnet_*.yaml'))
    assert len(files) == 2 and load_subnet(out / files[0], space)[0] == generated(space, 1)[0].arch
    assert sorted(p.name for p in tmp_path.iterdir()) == ['checkpoints', 'generated']


def test_generation_output_names_and_records_its_unit(tmp_path):
    import yaml
    from mmsgnas.engine import write_generation
    from mmsgnas.engine.generation import subnet_filename
    from mmsgnas.space import UnifiedSpace
    assert subnet_filename(9, 8.5) == 'subnet_009_8.500M.yaml'
    assert subnet_filename(9, 78.3, 'ms') == 'subnet_009_78.300ms.yaml'
    space = UnifiedSpace(dict(widen_factor=0.5, stem_stride=1, head_channels=256))
    subnets = generated(space, 2)
    write_generation(str(tmp_path / 'ms'), subnets, dict(unit='ms'), space)
    files = sorted(p.name for p in (tmp_path / 'ms').glob('subnet_*.yaml'))
    assert files == [subnet_filename(i, s.constraint, 'ms') for i, s in enumerate(subnets)]
    assert all(f.endswith('ms.yaml') for f in files)
    with open(tmp_path / 'ms' / files[0]) as f:
        assert yaml.safe_load(f)['unit'] == 'ms'


@pytest.mark.parametrize('argv, message', [
    (['--range', '6.5', '10.5', '0'], 'whole number >= 1'),
    (['--range', '6.5', '10.5', '2.5'], 'whole number >= 1'),
    (['--range', '10.5', '6.5', '3'], 'must be above LOW'),
    (['--range', '6.5', 'x', '3'], 'expected a number'),
    (['--constraints', '8', '-1'], 'positive number'),
    (['--constraints', 'nan'], 'positive number'),
])
def test_search_tool_refuses_bad_targets_before_loading_anything(argv, message, capsys):
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    try:
        from search import parse_args
    finally:
        sys.path.pop(0)
    with pytest.raises(SystemExit):
        parse_args(['config.py', 'ckpt.pth', *argv])
    assert message in capsys.readouterr().err
    assert parse_args(['c.py', 'k.pth', '--range', '6.5', '10.5', '3.0']).range == (6.5, 10.5, 3)
