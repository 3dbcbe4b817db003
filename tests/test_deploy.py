"""tools/deploy/export.py: a searched network exported to torch.export and ONNX, with the parity
check against the PyTorch model (issue 19, part 1)."""
import hashlib
import importlib.util
import json
import os
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mmsgnas.cost import se_mflops
from mmsgnas.deploy import fold_batchnorms, missing_onnx_packages
from mmsgnas.space import Arch, UnifiedSpace, macro_from_cfg, save_subnet
from test_models import randomise_bn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, 'tools/deploy/export.py')
CONFIG = os.path.join(ROOT, 'configs/deploy/export_digits.py')
SUPERNET_CONFIG = os.path.join(ROOT, 'configs/demo/supernet_digits.py')
# a small network (2 sub-blocks per layer, kernels 3 and 7: the depthwise BN of every block is
# folded per slice into two convs of different kernels), quick to export
ARCH = Arch([[3, 7]] * 19)
# short latency measurement: the tests check the report, not the timings
QUICK = ['export.latency.batch_sizes=[1,4]', 'export.latency.repeats=2',
         'export.latency.warmup=1']
HAVE_ONNX = not missing_onnx_packages()
PLAIN_TORCH = r'''
import sys, torch
module = torch.export.load(sys.argv[1]).module()
with torch.no_grad():
    logits = module(torch.load(sys.argv[2]))
torch.save(logits, sys.argv[3])
loaded = sorted(m for m in sys.modules if m.split('.')[0] in
                ('mmsgnas', 'mmengine', 'mmcv', 'mmpretrain', 'mmdet'))
print('OPENMMLAB MODULES:', loaded)
'''


def run_tool(args, cwd):
    return subprocess.run([sys.executable, TOOL, *args], cwd=cwd, capture_output=True,
                          text=True)


def tool_main():
    spec = importlib.util.spec_from_file_location('deploy_export_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def build(config, arch=None):
    cfg = Config.fromfile(config)
    if arch is not None:
        cfg.model.backbone.subnet = arch.to_lists()
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(cfg.model).eval()


def classifier_with_weights(seed=0):
    """The retrain classifier of ARCH with random weights, random BN statistics and a head large
    enough for logits of order 1..10 (a wrong folding must move them well past the tolerance)."""
    torch.manual_seed(seed)
    model = build(CONFIG, ARCH)
    randomise_bn(model, seed)
    with torch.no_grad():
        model.head.fc.weight.normal_(0, 1.0)
    return model


def digit_images(workspace, count):
    """The first ``count`` digits test images as [N, 3, 32, 32] float32 pixels, loaded by the
    config's test pipeline (what the exported program takes)."""
    from mmsgnas.deploy.parity import image_batches
    cwd = os.getcwd()
    os.chdir(workspace)
    try:
        images = [i for batch, _ in image_batches(Config.fromfile(CONFIG).test_dataloader,
                                                  max_images=count) for i in batch]
    finally:
        os.chdir(cwd)
    return torch.stack(images).float()


def digest(folder):
    return {name: hashlib.sha256(open(os.path.join(folder, name), 'rb').read()).hexdigest()
            for name in sorted(os.listdir(folder))}


@pytest.fixture(scope='module')
def workspace(tmp_path_factory):
    """A folder with the digits data, the subnet file and a retrained-classifier checkpoint."""
    root = tmp_path_factory.mktemp('deploy')
    done = subprocess.run([sys.executable, os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'),
                           '--out', 'data/digits'], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    cfg = Config.fromfile(CONFIG)
    space = UnifiedSpace(macro_from_cfg(**cfg.model.backbone.macro))
    save_subnet(root / 'net.yaml', ARCH, space=space)
    model = classifier_with_weights()
    torch.save(dict(state_dict=model.state_dict(), meta=dict(epoch=1)), root / 'retrained.pth')
    return root


@pytest.fixture(scope='module')
def exported(workspace):
    """One export of the retrained checkpoint through the command line, on all 360 test images,
    with ONNX when onnx / onnxscript / onnxruntime are installed."""
    out = workspace / 'export'
    args = ['net.yaml', 'retrained.pth', '--config', CONFIG, '--out-dir', str(out),
            '--cfg-options', *QUICK]
    if not HAVE_ONNX:
        args.insert(2, '--skip-onnx')
    result = run_tool(args, workspace)
    return workspace, out, result


def test_export_passes_parity_on_the_test_images(exported):
    workspace, out, result = exported
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert 'parity holds' in result.stdout
    report = json.loads((out / 'parity.json').read_text())
    assert report['status'] == 'passed' and report['failures'] == []
    assert report['source']['kind'] == 'retrained classifier'
    assert report['source']['se'] is True and report['source']['act'] == 'HSwish'
    assert report['bn_folding'] == dict(enabled=True, folded=report['bn_folding']['folded'],
                                        left=0)
    assert report['bn_folding']['folded'] > 19
    parity = report['parity']
    assert parity['images'] == 360
    assert parity['reference_max_abs_logit'] > 1.0   # logits large enough for parity to mean something
    tol = parity['tolerance']
    for form in ['torch.export'] + (['onnxruntime'] if HAVE_ONNX else []):
        figures = parity['figures'][form]
        assert figures['max_abs_diff'] <= tol['max_abs_diff'] == 1e-3
        assert figures['mean_abs_diff'] <= tol['mean_abs_diff']
        assert figures['top1_agreement'] == 1.0 and figures['top1_disagreements'] == 0
    assert sorted(report['latency']['batches']) == ['1', '4']
    forms = ['PyTorch eager', 'torch.export'] + (['onnxruntime'] if HAVE_ONNX else [])
    assert list(report['latency']['batches']['1']) == forms
    assert all(v['median_ms'] > 0 for row in report['latency']['batches'].values()
               for v in row.values())
    assert report['latency']['threads'] >= 1
    markdown = (out / 'parity.md').read_text()
    assert markdown.startswith('# Export and parity report: PASSED')
    assert '| torch.export vs PyTorch |' in markdown and '## Latency' in markdown
    assert not [p for p in os.listdir(workspace) if '.tmp-' in p or p.endswith('.rejected')]


def test_flops_recounted_on_the_exported_graphs_equal_mmsgnas_cost(exported):
    _, out, result = exported
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / 'parity.json').read_text())
    cfg = Config.fromfile(CONFIG)
    macro = macro_from_cfg(**cfg.model.backbone.macro)
    expected = (UnifiedSpace(macro).cost_table(32, 10).arch_mflops(ARCH)
                + se_mflops(macro, ARCH))
    values = report['flops']['values']
    assert report['flops']['expected'] == 'mmsgnas.cost (look-up table)'
    counted = ['PyTorch model (mmengine)', 'torch.export program (mmengine)']
    if HAVE_ONNX:
        counted.append('ONNX graph (Conv, Gemm, MatMul)')
    assert sorted(values) == sorted(counted + ['mmsgnas.cost (look-up table)'])
    # integer multiply-accumulates: the same count, not merely close
    for name in ['mmsgnas.cost (look-up table)'] + counted:
        assert round(values[name] * 1e6) == round(expected * 1e6), name
    params = report['params']
    assert params['torch.export program'] == pytest.approx(
        params['PyTorch model minus folded BN channels (expected for the program)'], abs=1e-9)


def test_program_loads_with_plain_torch_and_gives_the_models_logits(exported, tmp_path):
    workspace, out, result = exported
    assert result.returncode == 0, result.stderr[-3000:]
    images = digit_images(workspace, 5)
    torch.save(images, tmp_path / 'images.pt')
    script = tmp_path / 'plain.py'
    script.write_text(PLAIN_TORCH)
    # -I: isolated (no PYTHONPATH, no script folder or cwd on the path) from an empty folder
    done = subprocess.run([sys.executable, '-I', str(script), str(out / 'model.pt2'),
                           str(tmp_path / 'images.pt'), str(tmp_path / 'logits.pt')],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert 'OPENMMLAB MODULES: []' in done.stdout
    got = torch.load(tmp_path / 'logits.pt')
    model = classifier_with_weights()     # the weights of the checkpoint, rebuilt here
    with torch.no_grad():
        expected = model(model.data_preprocessor(dict(inputs=list(images)), False)['inputs'],
                         mode='tensor')
    assert got.shape == (5, 10)
    assert expected.abs().max() > 1.0
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-3)  # export.parity


def test_onnx_model_runs_in_onnxruntime_with_the_models_logits(exported):
    workspace, out, result = exported
    if not HAVE_ONNX:
        # the export above ran with --skip-onnx; without it the tool refuses (tested below)
        pytest.skip(f'optional packages not installed: {missing_onnx_packages()}')
    import onnx
    import onnxruntime
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / 'parity.json').read_text())
    assert report['artifacts']['onnx'] == 'model.onnx' and report['artifacts']['opset'] == 18
    model = onnx.load(str(out / 'model.onnx'))
    assert {o.domain or 'ai.onnx': o.version for o in model.opset_import}['ai.onnx'] == 18
    assert not any(n.op_type == 'BatchNormalization' for n in model.graph.node)
    session = onnxruntime.InferenceSession(str(out / 'model.onnx'),
                                           providers=['CPUExecutionProvider'])
    images = digit_images(workspace, 3)
    got = torch.from_numpy(session.run(None, {session.get_inputs()[0].name: images.numpy()})[0])
    classifier = classifier_with_weights()
    with torch.no_grad():
        expected = classifier(classifier.data_preprocessor(dict(inputs=list(images)),
                                                           False)['inputs'], mode='tensor')
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-3)  # export.parity
    figures = report['parity']['figures']
    assert figures['onnxruntime']['max_abs_diff'] <= 1e-3
    assert figures['onnxruntime vs torch.export']['top1_agreement'] == 1.0


def test_folding_keeps_the_logits_and_removes_every_bn():
    model = classifier_with_weights(seed=1)
    x = torch.randn(4, 3, 32, 32)
    with torch.no_grad():
        expected = model(x, mode='tensor')
        result = fold_batchnorms(model)
        got = model(x, mode='tensor')
    assert result['left'] == 0 and result['folded'] > 19
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-3)


def test_a_wrong_bn_folding_is_caught_and_the_out_dir_is_left_as_it_was(exported, monkeypatch,
                                                                         capsys):
    """The depthwise BN folded with the channel slices of the two kernels swapped: the export
    runs, the parity check rejects it with exit status 1, the earlier export is untouched."""
    workspace, out, result = exported
    assert result.returncode == 0, result.stderr[-3000:]
    import mmsgnas.deploy.wrapper as wrapper
    real = wrapper.depthwise_slices
    monkeypatch.setattr(wrapper, 'depthwise_slices', lambda block: real(block)[::-1])
    monkeypatch.chdir(workspace)
    before = digest(out)
    code = tool_main()(['net.yaml', 'retrained.pth', '--config', CONFIG, '--out-dir', str(out),
                        '--skip-onnx', '--max-images', '128', '--cfg-options', *QUICK])
    err = capsys.readouterr().err
    assert code == 1, err[-3000:]
    assert 'parity check failed' in err and 'torch.export: max |logit diff|' in err
    assert f'Nothing was written to {out}' in err
    assert digest(out) == before
    rejected = workspace / 'export.rejected'
    report = json.loads((rejected / 'parity.json').read_text())
    assert report['status'] == 'failed'
    assert report['parity']['figures']['torch.export']['max_abs_diff'] > 1e-2
    assert 'onnxruntime' not in report['parity']['figures']
    assert sorted(os.listdir(rejected)) == ['model.pt2', 'parity.json', 'parity.md']
    assert (rejected / 'parity.md').read_text().startswith('# Export and parity report: FAILED')
    assert not [p for p in os.listdir(workspace) if '.tmp-' in p]


@pytest.mark.parametrize('case', ['malformed subnet', 'wrong model', 'missing checkpoint',
                                  'onnx absent'])
def test_bad_input_exits_2_naming_the_file(workspace, case, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(workspace)
    subnet, checkpoint, extra = 'net.yaml', 'retrained.pth', ['--skip-onnx']
    if case == 'malformed subnet':
        subnet = str(tmp_path / 'broken.yaml')
        (tmp_path / 'broken.yaml').write_text('space: sgnas-unified-mobilenet\nlayers:\n'
                                              + '- [3, 4]\n' * 19)
        named = 'broken.yaml'
    elif case == 'wrong model':
        checkpoint = str(tmp_path / 'other.pth')   # a network of another subnet
        other = build(CONFIG, Arch([[3, 5, 5]] * 19))
        torch.save(dict(state_dict=other.state_dict(), meta=dict()), checkpoint)
        named = 'other.pth does not fit'
    elif case == 'missing checkpoint':
        checkpoint, named = str(tmp_path / 'absent.pth'), 'checkpoint not found'
    else:
        import mmsgnas.deploy.deps as deps
        monkeypatch.setattr(deps, 'missing_onnx_packages', lambda: ['onnxruntime'])
        extra, named = [], 'onnxruntime'
    out = tmp_path / 'out'
    code = tool_main()([subnet, checkpoint, '--config', CONFIG, '--out-dir', str(out), *extra])
    err = capsys.readouterr().err
    assert code == 2, err[-3000:]
    message = [line for line in err.splitlines() if line.startswith('export.py: error: ')]
    assert len(message) == 1 and named in message[0], err[-3000:]
    if case == 'onnx absent':
        assert '--skip-onnx' in err and 'pip install' in err
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith('.out')]


def test_bad_input_from_the_command_line_exits_2(workspace, tmp_path):
    (tmp_path / 'broken.yaml').write_text('layers: [[3, 3]]\n')
    result = run_tool([str(tmp_path / 'broken.yaml'), 'retrained.pth', '--config', CONFIG,
                       '--out-dir', str(tmp_path / 'out'), '--skip-onnx'], workspace)
    assert result.returncode == 2, result.stderr[-3000:]
    assert 'broken.yaml' in result.stderr and 'Traceback' not in result.stderr


@pytest.mark.slow
def test_impossible_tolerance_from_the_command_line_exits_1(exported):
    workspace, out, result = exported
    assert result.returncode == 0, result.stderr[-3000:]
    before = digest(out)
    failed = run_tool(['net.yaml', 'retrained.pth', '--config', CONFIG, '--out-dir', str(out),
                       '--skip-onnx', '--max-images', '64', '--cfg-options',
                       'export.parity.min_top1_agreement=1.01', *QUICK], workspace)
    assert failed.returncode == 1, failed.stderr[-3000:]
    assert 'top-1 agreement 1.0000 < min_top1_agreement 1.01' in failed.stderr
    assert digest(out) == before


@pytest.mark.slow
def test_supernet_checkpoint_exports_the_inherited_path(workspace, monkeypatch, capsys):
    """A supernet checkpoint: the subnet inherits its weights by slicing; the exported program
    computes the supernet's forward on that path."""
    torch.manual_seed(0)
    supernet = build(SUPERNET_CONFIG)
    randomise_bn(supernet)
    with torch.no_grad():
        supernet.head.fc.weight.normal_(0, 1.0)
    torch.save(dict(state_dict=supernet.state_dict(), meta=dict(epoch=1)),
               workspace / 'supernet.pth')
    monkeypatch.chdir(workspace)
    out = workspace / 'export_supernet'
    extra = [] if HAVE_ONNX else ['--skip-onnx']
    code = tool_main()(['net.yaml', 'supernet.pth', '--config', CONFIG, '--out-dir', str(out),
                        *extra, '--cfg-options', *QUICK])
    assert code == 0, capsys.readouterr().err[-3000:]
    report = json.loads((out / 'parity.json').read_text())
    assert report['source']['kind'] == 'supernet (inherited weights)'
    assert report['source']['se'] is False and report['source']['act'] == 'ReLU6'
    values = report['flops']['values']
    assert len({round(v * 1e6) for v in values.values()}) == 1
    images = digit_images(workspace, 4)
    program = torch.export.load(str(out / 'model.pt2')).module()
    with torch.no_grad(), supernet.backbone.using(ARCH):
        x = supernet.data_preprocessor(dict(inputs=list(images)), False)['inputs']
        expected = supernet.head(supernet.extract_feat(x))
        got = program(images)
    assert expected.abs().max() > 1.0
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-3)  # export.parity
