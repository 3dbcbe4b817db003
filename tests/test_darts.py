"""DARTS and DARTS-PT on the unified space and NAS-Bench-201: the supernet's soft forward and
masks, the two-optimiser training step, magnitude and perturbation selection (resumable), the
configs and a tiny end-to-end run."""
import copy
import csv
import json
import os
import random
import types

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.optim import OptimWrapperDict
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample
from torch.utils.data import DataLoader

from mmsgnas.engine.darts import DartsSelectionLoop
from mmsgnas.models import batch_statistics
from mmsgnas.models.algorithms.darts import DartsOptimWrapperConstructor, DartsSupernet
from mmsgnas.registry import MODELS
from mmsgnas.space import load_subnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY_MACRO = dict(layer_channels=[[8, 1], [8, 1], [16, 2]], stem_channels=8, first_channels=8,
                  head_channels=32, stem_stride=1)
BACKBONES = {
    'unified': (dict(type='mmsgnas.UnifiedSupernet', macro=TINY_MACRO), 32),
    'nb201': (dict(type='mmsgnas.NasBench201Supernet', C=4, N=1), 16),
}


def build(space: str, fix_alpha: bool = False, seed: int = 0) -> DartsSupernet:
    torch.manual_seed(seed)
    backbone, channels = BACKBONES[space]
    model = MODELS.build(dict(
        type='mmsgnas.DartsSupernet', backbone=copy.deepcopy(backbone), fix_alpha=fix_alpha,
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=4, in_channels=channels)))
    randomise_bn(model, seed)
    return model


def randomise_bn(module, seed=0):
    gen = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def random_choices(space, rng):
    """Random allowed choices per decision (not canonical: a unified layer may hold kernels after
    its first skip, which the structure must switch off)."""
    allowed = space.allowed()
    return [rng.choice(torch.nonzero(allowed[d]).flatten().tolist())
            for d in range(allowed.shape[0])]


def set_onehot_alpha(model, choices):
    """alpha = 0 at the chosen entries, -inf elsewhere: the softmax is exactly one-hot."""
    onehot = torch.nn.functional.one_hot(torch.tensor(choices), model.alpha.shape[1]).bool()
    model.alpha.data = torch.zeros_like(model.alpha).masked_fill(~onehot, float('-inf'))


# -- the supernet ----------------------------------------------------------------------------------
@pytest.mark.parametrize('space', ['unified', 'nb201'])
def test_soft_forward_at_onehot_alpha_equals_the_discrete_forward(space):
    model = build(space).eval()
    x = torch.randn(3, 3, 8, 8)
    rng = random.Random(0)
    for _ in range(4):
        choices = random_choices(model.space, rng)
        arch = model.space.from_choices(choices)
        set_onehot_alpha(model, choices)
        with torch.no_grad():
            soft = model.head(model.extract_feat(x))
            with model.backbone.using(arch):
                discrete = model.head(model.extract_feat(x))
        assert torch.allclose(soft, discrete, atol=1e-5), (space, arch)
        # the soft weights are exactly the one-hot encoding of the decoded architecture
        assert torch.equal(model.arch_weights(), model.space.encode(arch))
        assert model.decode() == arch
    # and a soft alpha gives another function (the test is not vacuous)
    model.alpha.data = torch.randn_like(model.alpha)
    with torch.no_grad():
        assert not torch.allclose(model.head(model.extract_feat(x)), discrete, atol=1e-3)


@pytest.mark.parametrize('space', ['unified', 'nb201'])
def test_decoded_architectures_are_valid_and_canonical(space):
    model = build(space)
    sp = model.space
    gen = torch.Generator().manual_seed(0)
    for trial in range(20):
        model.alpha.data = torch.randn(model.alpha.shape, generator=gen) * 3
        if space == 'unified' and trial % 2:
            model.alpha.data[:, 3] += 100.0   # skip everywhere preferred: e >= 2 must still hold
        arch = model.decode()
        assert sp.canonical(arch) == arch
        assert sp.from_text(sp.to_text(arch)) == arch
        assert sp.decode(sp.encode(arch)) == arch
        if space == 'unified':
            assert all(len(layer) >= 2 for layer in arch)
            if trial % 2:
                assert all(len(layer) == 2 for layer in arch)
        # argmax over the allowed choices, decision by decision, then the space's structure
        masked = model.alpha.detach().masked_fill(~sp.allowed(), float('-inf'))
        assert arch == sp.from_choices(masked.argmax(-1).tolist())


def test_probs_are_a_softmax_over_the_allowed_choices_and_projection_is_one_hot():
    model = build('unified')
    model.alpha.data = torch.randn_like(model.alpha)
    probs = model.probs()
    allowed = model.space.allowed()
    assert torch.allclose(probs.sum(-1), torch.ones(probs.shape[0]))
    assert bool((probs[~allowed] == 0).all())
    expected = torch.softmax(model.alpha.detach()[6], -1)   # layer 1, sub-block 0: no skip
    assert torch.allclose(probs[6, :3], torch.softmax(model.alpha.detach()[6, :3], -1))
    assert not torch.allclose(probs[6], expected)
    decided = [-1] * probs.shape[0]
    decided[2], decided[7] = 3, 1
    projected = model.probs(decided)
    assert torch.equal(projected[2], torch.tensor([0., 0., 0., 1.]))
    assert torch.equal(projected[7], torch.tensor([0., 1., 0., 0.]))
    keep = [d for d in range(probs.shape[0]) if d not in (2, 7)]
    assert torch.equal(projected[keep], probs[keep])
    with pytest.raises(ValueError, match='does not allow'):
        decided[0] = 3   # a skip in a layer's first sub-block
        model.probs(decided)


def capture_weights(model):
    """Per unified layer, the soft weights [B, 6, 4] its block runs in the next forward."""
    seen = {}
    hooks = [layer.register_forward_pre_hook(
        lambda module, args, i=i: seen.__setitem__(i, args[1][0].clone()))
        for i, layer in enumerate(model.backbone.layers)]
    return seen, hooks


def test_masking_a_kernel_changes_only_that_decisions_weights_in_the_unified_forward():
    model = build('unified').eval()
    model.alpha.data = torch.randn_like(model.alpha)
    x = torch.randn(2, 3, 8, 8)
    seen, hooks = capture_weights(model)
    with torch.no_grad():
        model.extract_feat(x)
        base = {i: w.clone() for i, w in seen.items()}
        for d, k in [(0, 0), (8, 2), (15, 1)]:
            model.set_override_weights(model.arch_weights(mask=(d, k)))
            model.extract_feat(x)
            layer, sub = divmod(d, 6)
            for i in base:
                if i != layer:
                    assert torch.equal(seen[i], base[i])
            changed = (seen[layer] != base[layer]).any(-1)
            assert changed.nonzero().flatten().tolist() == [sub]
            assert seen[layer][sub, k] == 0
            others = [c for c in range(4) if c != k]
            assert torch.equal(seen[layer][sub, others], base[layer][sub, others])
        # a skip ends its layer: masking it at sub-block 3 of layer 1 keeps every other layer and
        # sub-blocks 0..2 of layer 1, and lets sub-blocks 4, 5 run more
        model.set_override_weights(model.arch_weights(mask=(9, 3)))
        model.extract_feat(x)
        for i in (0, 2):
            assert torch.equal(seen[i], base[i])
        assert torch.equal(seen[1][:3], base[1][:3])
        # the skip weight of sub-block 3 (it or an earlier one skips) falls to sub-block 2's
        assert torch.equal(seen[1][3, 3], base[1][2, 3]) and seen[1][3, 3] < base[1][3, 3]
        # its kernels keep their weights (no renormalisation); sub-blocks 4, 5 are reached more
        assert torch.equal(seen[1][3, :3], base[1][3, :3])
        assert bool((seen[1][4:, :3].sum(-1) > base[1][4:, :3].sum(-1)).all())
    for h in hooks:
        h.remove()


def test_masking_an_op_changes_only_that_edges_output_on_nasbench201():
    model = build('nb201').eval()
    model.alpha.data = torch.randn_like(model.alpha)
    x = torch.randn(2, 3, 8, 8)
    base_weights = model.arch_weights()
    edges = [edge for stage in model.backbone.stages for cell in stage.cells
             for edge in cell.edges] if hasattr(model.backbone, 'stages') else \
        [m for m in model.backbone.modules() if type(m).__name__ == 'NasBench201MixedEdge']
    assert edges
    records = []
    hooks = [edge.register_forward_hook(
        lambda module, args, out, e=e: records.append((module, e % 6, args[0].clone(),
                                                       None if out is None else out.clone())))
        for e, edge in enumerate(edges)]
    with torch.no_grad():
        for d in range(6):
            for k in (1, 2, 3, 4):   # the 'none' op's output is zero: masking it changes nothing
                records.clear()
                model.set_override_weights(model.arch_weights(mask=(d, k)))
                model.extract_feat(x)
                assert len(records) == len(edges)
                for module, e, inputs, out in list(records):   # (recomputing appends more)
                    batch = base_weights[e][None].expand(inputs.shape[0], -1)
                    unmasked = module(inputs, batch)
                    if e == d:
                        assert not torch.allclose(out, unmasked)
                    else:
                        assert torch.equal(out, unmasked)
    for h in hooks:
        h.remove()


# -- training --------------------------------------------------------------------------------------
def batch(n, seed):
    gen = torch.Generator().manual_seed(seed)
    return dict(inputs=[torch.randint(0, 256, (3, 8, 8), generator=gen, dtype=torch.uint8)
                        for _ in range(n)],
                data_samples=[DataSample().set_gt_label(int(i) % 4) for i in range(n)])


def test_train_step_is_first_order_darts_with_two_optimisers():
    model = build('nb201')
    reference = copy.deepcopy(model)
    constructor = DartsOptimWrapperConstructor(dict(
        weights=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1)),
        architecture=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.5))))
    wrappers = constructor(model)
    assert isinstance(wrappers, OptimWrapperDict) and set(wrappers.keys()) == {'weights',
                                                                             'architecture'}
    train, held_out = batch(6, 1), batch(6, 2)
    logs = model.train_step(dict(weights=train, arch=held_out), wrappers)
    assert {'loss', 'loss_arch', 'alpha_entropy'} <= set(logs)

    # by hand: alpha step on the held-out batch, then a weight step on the train batch with the
    # new alpha (detached), each with plain SGD
    reference.train()
    data = reference.data_preprocessor(held_out, True)
    loss = reference.loss(data['inputs'], data['data_samples'])['loss']
    grad_alpha = torch.autograd.grad(loss, reference.alpha)[0]
    with torch.no_grad():
        reference.alpha -= 0.5 * grad_alpha
    data = reference.data_preprocessor(train, True)
    weights = reference.weight_parameters()
    reference._detach_alpha = True
    loss = reference.loss(data['inputs'], data['data_samples'])['loss']
    reference._detach_alpha = False
    grads = torch.autograd.grad(loss, weights, allow_unused=True)
    with torch.no_grad():
        for p, g in zip(weights, grads):
            if g is not None:
                p -= 0.1 * g
    assert not torch.equal(model.alpha, build('nb201').alpha)
    for (name, p), q in zip(model.named_parameters(), reference.parameters()):
        assert torch.allclose(p, q, atol=1e-6), name
    for (name, b), c in zip(model.named_buffers(), reference.buffers()):
        assert torch.allclose(b.float(), c.float(), atol=1e-6), name


def test_fix_alpha_keeps_alpha_uniform_and_has_no_architecture_optimiser():
    model = build('unified', fix_alpha=True)
    assert not model.alpha.requires_grad and torch.equal(model.alpha, torch.zeros_like(model.alpha))
    wrappers = DartsOptimWrapperConstructor(dict(
        weights=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))))(model)
    assert set(wrappers.keys()) == {'weights'}
    before = [p.clone() for p in model.weight_parameters()]
    model.train_step(dict(weights=batch(4, 1), arch=batch(4, 2)), wrappers)
    assert torch.equal(model.alpha, torch.zeros_like(model.alpha))
    assert any(not torch.equal(a, b) for a, b in zip(before, model.weight_parameters()))
    probs = model.probs()
    allowed = model.space.allowed()
    assert torch.allclose(probs[allowed], (1.0 / allowed.sum(-1, keepdim=True).float())
                          .expand_as(probs)[allowed])


# -- selection -------------------------------------------------------------------------------------
class Dataset(torch.utils.data.Dataset):
    def __init__(self, n, seed):
        gen = torch.Generator().manual_seed(seed)
        self.images = torch.randint(0, 256, (n, 3, 8, 8), generator=gen, dtype=torch.uint8)
        self.labels = torch.randint(0, 4, (n, ), generator=gen)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return dict(inputs=self.images[i], data_samples=DataSample().set_gt_label(
            int(self.labels[i])))


def loaders():
    val = DataLoader(Dataset(24, 5), batch_size=8, collate_fn=pseudo_collate)
    train = DataLoader(Dataset(32, 6), batch_size=8, shuffle=True, collate_fn=pseudo_collate)
    return val, train


def fake_runner(model, work_dir):
    return types.SimpleNamespace(model=model, work_dir=str(work_dir),
                                 logger=MMLogger.get_instance('test_darts'))


def selection(model, work_dir, method='perturbation', **kwargs):
    val, train = loaders()
    kwargs.setdefault('tune_iters', 2)
    return DartsSelectionLoop(fake_runner(model, work_dir), val, method=method,
                              tune_dataloader=train, input_size=8, out_dir='sel', **kwargs)


@pytest.mark.parametrize('space', ['unified', 'nb201'])
def test_magnitude_selection_writes_the_argmax_architecture(space, tmp_path):
    model = build(space)
    model.alpha.data = torch.randn_like(model.alpha)
    best = selection(model, tmp_path, method='magnitude').run()
    assert best.arch == model.decode()
    arch, meta = load_subnet(tmp_path / 'sel' / 'selected_subnet.yaml', model.space)
    assert arch == best.arch and meta['source'] == 'darts' and meta['method'] == 'magnitude'
    with open(tmp_path / 'sel' / 'alpha.csv') as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == int(model.space.allowed().sum())
    chosen = {int(r['decision']): int(r['choice']) for r in rows if r['chosen'] == 'True'}
    assert [chosen[d] for d in range(len(chosen))] == model.space.choices(arch)


@pytest.mark.parametrize('space', ['unified', 'nb201'])
def test_perturbation_keeps_the_choice_whose_removal_hurts_most(space, tmp_path):
    model = build(space)
    model.alpha.data = torch.randn_like(model.alpha)
    loop = selection(model, tmp_path, tune_iters=0)
    best = loop.run()
    sp = model.space
    assert sp.canonical(best.arch) == best.arch
    arch, meta = load_subnet(tmp_path / 'sel' / 'selected_subnet.yaml', sp)
    assert arch == best.arch and meta['source'] == 'darts-pt'
    with open(tmp_path / 'sel' / 'perturbation.csv') as f:
        rows = list(csv.DictReader(f))
    by_decision = {}
    for row in rows:
        by_decision.setdefault(int(row['decision']), []).append(row)
    allowed = sp.allowed()
    choices = sp.choices(arch)
    for d, group in by_decision.items():
        assert sorted(int(r['choice']) for r in group) == \
            torch.nonzero(allowed[d]).flatten().tolist()
        lowest = min(group, key=lambda r: (float(r['masked_accuracy']), int(r['choice'])))
        assert [r['chosen'] for r in group].count('True') == 1 and lowest['chosen'] == 'True'
        assert choices[d] == int(lowest['choice']) or \
            (space == 'unified' and choices[d] == 3)   # after an earlier skip of its layer
    if space == 'nb201':
        assert sorted(by_decision) == list(range(6))
        assert meta['evaluated'] == 6 * (5 + 1) + 1
    else:
        # sub-blocks after a decided skip are fixed without measurements
        implied = [d for d, v in enumerate(loop.implied) if v]
        for d in implied:
            layer, sub = divmod(d, 6)
            assert any(loop.decided[layer * 6 + j] == 3 for j in range(2, sub))
            assert d not in by_decision
        assert len(by_decision) + len(implied) == 18
        assert all(len(layer) >= 2 for layer in arch)


def test_perturbation_measures_what_the_masked_supernet_scores(tmp_path):
    model = build('nb201')
    model.alpha.data = torch.randn_like(model.alpha)
    untouched = copy.deepcopy(model)
    loop = selection(model, tmp_path, tune_iters=0)
    loop.run()
    first = [m for m in loop.measurements if m['step'] == 0]
    d = first[0]['decision']
    val, _ = loaders()
    for row in first:
        weights = untouched.arch_weights(mask=(d, row['choice']))
        untouched.set_override_weights(weights)
        correct = total = 0
        with torch.no_grad(), batch_statistics(untouched):
            for data in val:
                data = untouched.data_preprocessor(data, False)
                pred = untouched.head(untouched.extract_feat(data['inputs'])).argmax(1)
                labels = torch.cat([s.gt_label for s in data['data_samples']])
                correct += int((pred == labels).sum())
                total += len(labels)
        assert row['masked_accuracy'] == round(100.0 * correct / total, 4)


@pytest.mark.parametrize('space', ['unified', 'nb201'])
def test_selection_scores_with_batch_statistics_and_leaves_the_running_ones(space, tmp_path):
    model = build(space)
    loop = selection(model, tmp_path, tune_iters=0)
    weights = model.arch_weights(mask=(3, 0))
    running = {k: v.clone() for k, v in model.state_dict().items() if 'running' in k}
    score = loop.accuracy(weights)
    assert all(torch.equal(model.state_dict()[k], v) for k, v in running.items())
    assert model.training
    # running statistics of another network (the mixture's, in a trained supernet) do not move it
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.normal_(0, 3)
            m.running_var.uniform_(0.1, 10)
    assert loop.accuracy(weights) == score


@pytest.mark.parametrize('space', ['unified', 'nb201'])
def test_perturbation_resumes_to_the_same_result_after_an_interruption(space, tmp_path):
    trained = build(space)
    trained.alpha.data = torch.randn_like(trained.alpha)

    full_model = copy.deepcopy(trained)
    full = selection(full_model, tmp_path / 'full')
    full_best = full.run()

    first = selection(copy.deepcopy(trained), tmp_path / 'cut', stop_after=2)
    assert first.run() is None
    state = json.loads((tmp_path / 'cut' / 'sel' / 'search_state.json').read_text())
    assert 0 < state['step'] < len(state['order'])

    # an interruption in the middle of fine-tuning: the state of the last decision stays valid
    second = selection(copy.deepcopy(trained), tmp_path / 'cut', resume=True)
    calls = {'n': 0}
    original = second.fine_tune

    def crash(step):
        calls['n'] += 1
        if calls['n'] == 2:
            raise KeyboardInterrupt
        return original(step)
    second.fine_tune = crash
    with pytest.raises(KeyboardInterrupt):
        second.run()

    # started again from the trained weights (as tools/search.py reloads the checkpoint)
    resumed_model = copy.deepcopy(trained)
    resumed = selection(resumed_model, tmp_path / 'cut', resume=True)
    best = resumed.run()
    assert best.arch == full_best.arch
    assert resumed.decided == full.decided
    assert resumed.measurements == full.measurements
    for (name, p), q in zip(full_model.state_dict().items(), resumed_model.state_dict().values()):
        assert torch.equal(p, q), name
    assert (tmp_path / 'cut' / 'sel' / 'perturbation.csv').read_text() == \
        (tmp_path / 'full' / 'sel' / 'perturbation.csv').read_text()
    # fine-tuning happened (the weights moved), so the resume had to restore them
    assert any(not torch.equal(p, q) for p, q in zip(trained.state_dict().values(),
                                                     full_model.state_dict().values()))


def test_resume_refuses_other_settings(tmp_path):
    trained = build('nb201')
    selection(copy.deepcopy(trained), tmp_path, stop_after=1).run()
    with pytest.raises(ValueError, match='seed'):
        selection(copy.deepcopy(trained), tmp_path, seed=1, resume=True).run()
    other = build('nb201', seed=3)
    with pytest.raises(ValueError, match='supernet'):
        selection(other, tmp_path, resume=True).run()


# -- configs ---------------------------------------------------------------------------------------
CONFIGS = ['darts_unified_digits', 'fix_alpha_unified_digits', 'darts_nb201_digits',
           'fix_alpha_nb201_digits', 'darts_nb201_cifar10', 'fix_alpha_nb201_cifar10',
           'darts_unified_8xb32_in1k']


@pytest.mark.parametrize('name', CONFIGS)
def test_configs(name):
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/darts', f'{name}.py'))
    assert cfg.model.type == 'mmsgnas.DartsSupernet'
    assert cfg.search_cfg.type == 'mmsgnas.DartsSelectionLoop'
    assert dict(type='mmsgnas.CheckInvalidLossHook', interval=1, priority='VERY_LOW') in \
        [dict(h) for h in cfg.custom_hooks]
    fixed = name.startswith('fix_alpha')
    assert cfg.model.fix_alpha == fixed
    assert (cfg.train_cfg.arch_dataloader is None) == fixed
    assert ('architecture' in cfg.optim_wrapper) != fixed
    with DefaultScope.overwrite_default_scope('mmsgnas'):
        model = MODELS.build(cfg.model)
    assert model.alpha.requires_grad != fixed
    if 'unified' in name and 'digits' in name:
        # the demo supernet's macro: the selected architecture runs on the SGNAS digits supernet
        demo = Config.fromfile(os.path.join(ROOT, 'configs/demo/supernet_digits.py'))
        assert dict(cfg.model.backbone.macro) == dict(demo.model.backbone.macro)


# -- end to end ------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize('name,method', [('darts_nb201_digits', 'perturbation'),
                                         ('fix_alpha_nb201_digits', 'perturbation'),
                                         ('darts_unified_digits', 'magnitude')])
def test_train_and_select_end_to_end_on_digits(name, method, tmp_path):
    import subprocess
    import sys
    # the digits data in the test's own folder (the configs read data/digits from the cwd)
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'),
                    '--out', 'data/digits'], check=True, cwd=tmp_path, capture_output=True)
    config = os.path.join(ROOT, 'configs/darts', f'{name}.py')
    small = ['train_dataloader.dataset.indices=64', 'val_dataloader.dataset.indices=32',
             'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
             'param_scheduler.weights.0.T_max=1', 'param_scheduler.weights.0.end=1']
    if not name.startswith('fix_alpha'):
        small.append('train_cfg.arch_dataloader.dataset.indices=64')
    env = dict(os.environ, PYTHONPATH=ROOT)
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools/train.py'), config, '--work-dir',
                    str(tmp_path / 'work'), '--cfg-options', *small], check=True, cwd=tmp_path, env=env,
                   capture_output=True)
    checkpoint = tmp_path / 'work' / 'epoch_1.pth'
    assert checkpoint.is_file()
    select = ['search_cfg.dataloader.dataset.indices=32',
              'search_cfg.tune_dataloader.dataset.indices=32', 'search_cfg.tune_iters=1',
              'search_cfg.tune_epochs=0', f'search_cfg.method={method}',
              'search_cfg.out_dir=select']
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools/search.py'), config,
                    str(checkpoint), '--work-dir', str(tmp_path / 'work'), '--cfg-options', *select],
                   check=True, cwd=tmp_path, env=env, capture_output=True)
    arch, meta = load_subnet(tmp_path / 'work' / 'select' / 'selected_subnet.yaml')
    assert meta['method'] == method
    assert meta['fix_alpha'] == name.startswith('fix_alpha')
    csv_name = 'perturbation.csv' if method == 'perturbation' else 'alpha.csv'
    assert (tmp_path / 'work' / 'select' / csv_name).is_file()
