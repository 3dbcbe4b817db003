import os
import random

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mmsgnas.models import ArchitectureGenerator, ConstraintRangeError, GeneratorSettingsError
from mmsgnas.space import UnifiedSpace

SPACE = UnifiedSpace(dict(widen_factor=0.5, stem_stride=1, head_channels=256))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, 'configs/demo/generator_digits.py')


def build_trainer(**overrides):
    cfg = Config.fromfile(CONFIG)
    cfg.model.supernet_checkpoint = None
    cfg.model.update(overrides)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(cfg.model)


def test_generator_shapes_and_valid_decoding():
    torch.manual_seed(0)
    generator = ArchitectureGenerator(SPACE.decision_shape, SPACE.map_shape, SPACE.allowed())
    priors = torch.stack([SPACE.encode(SPACE.sample(random.Random(i))) for i in range(8)])
    logits = generator(torch.rand(8), priors)
    assert logits.shape == (8, 114, 4)
    layered = logits.reshape(8, 19, 6, 4)
    assert torch.isinf(layered[:, :, :2, 3]).all()          # no skip in sub-blocks 0 and 1
    assert torch.isfinite(layered[:, :, 2:]).all()
    for _ in range(20):   # whatever the logits, decoding gives a valid canonical architecture
        noisy = logits + 10 * torch.randn_like(logits)
        for arch in map(SPACE.decode, noisy):
            assert SPACE.canonical(arch) == arch
    with pytest.raises(ValueError, match='map_shape'):
        ArchitectureGenerator((114, 4), (19, 23))


def test_constraint_encodings_constant_and_fourier():
    from mmsgnas.models.generator.architecture_generator import encode_constraint
    c = torch.tensor([0.0, 0.25, 1.0])
    torch.testing.assert_close(encode_constraint(c, 3), c[:, None].expand(3, 3))
    fourier = encode_constraint(torch.tensor([0.25]), 6, 'fourier')[0]
    half = 0.5 ** 0.5   # c, sin(pi c), cos(pi c), sin(2 pi c), cos(2 pi c), sin(4 pi c)
    torch.testing.assert_close(fourier, torch.tensor([0.25, half, half, 1.0, 0.0, 0.0]),
                               atol=1e-6, rtol=0)
    # neighbouring targets 1/18 apart (19 targets over the range) differ by more than their gap
    near = encode_constraint(torch.tensor([0.5, 0.5 + 1 / 18]), 10, 'fourier')
    assert float((near[1] - near[0]).abs().max()) > 0.5
    generator = ArchitectureGenerator(SPACE.decision_shape, SPACE.map_shape, SPACE.allowed(),
                                      constraint_encoding='fourier')
    priors = SPACE.encode(SPACE.sample(random.Random(0)))[None].expand(2, -1, -1)
    assert generator(torch.tensor([0.2, 0.8]), priors).shape == (2, 114, 4)
    with pytest.raises(ValueError, match='constraint_encoding must be one of'):
        ArchitectureGenerator((114, 4), (19, 24), constraint_encoding='sine')


def test_soft_cost_of_one_hot_generator_output_equals_exact_cost():
    trainer = build_trainer()
    logits = trainer.generate_logits(torch.tensor([7.0, 9.0, 10.0]))
    one_hot = torch.nn.functional.one_hot(logits.argmax(-1), 4).float()
    for weights, l in zip(one_hot, logits):
        arch = SPACE.decode(l)
        structured = SPACE.structure(weights)
        assert trainer.cost_table.soft_mflops(structured).item() == pytest.approx(
            trainer.cost_table.arch_mflops(arch), rel=1e-6)


@pytest.mark.parametrize('sampling,norm', [('sample', 'running'), ('batch', 'running'),
                                           ('batch', 'batch')])
def test_gradients_reach_the_generator_and_not_the_supernet(sampling, norm):
    from mmpretrain.structures import DataSample
    trainer = build_trainer(target_sampling=sampling, supernet_bn=norm)
    trainer.train()
    assert not trainer.supernet.training
    assert all(not p.requires_grad for p in trainer.supernet.parameters())
    before = {k: v.clone() for k, v in trainer.supernet.state_dict().items()}
    samples = [DataSample().set_gt_label(i % 10) for i in range(4)]
    losses = trainer.loss(torch.randn(4, 3, 32, 32), samples)
    assert set(losses) == {'loss_cls', 'loss_constraint', 'flops_rel_error'}
    (losses['loss_cls'] + losses['loss_constraint']).backward()
    assert all(p.grad is None for p in trainer.supernet.parameters())
    grads = [p.grad for p in trainer.generator.parameters()]
    assert all(g is not None for g in grads) and sum(g.abs().sum() for g in grads) > 0
    after = trainer.supernet.state_dict()     # frozen: weights and BN statistics untouched
    assert all(torch.equal(after[k], v) for k, v in before.items())
    assert not any(m.training for m in trainer.supernet.modules())


def test_batch_statistics_normalise_with_the_batch_and_keep_running_statistics():
    from mmsgnas.models import batch_statistics
    bn = torch.nn.BatchNorm2d(3).eval()
    net = torch.nn.Sequential(bn, torch.nn.Dropout(0.5)).eval()
    x = 5 + 3 * torch.randn(16, 3, 4, 4)
    with batch_statistics(net):
        y = net(x)
    assert y.mean().abs() < 1e-5 and (y.var() - 1).abs() < 0.05   # batch stats, no dropout
    assert torch.equal(bn.running_mean, torch.zeros(3)) and int(bn.num_batches_tracked) == 0
    assert not net.training and not bn.training and bn.momentum == 0.1
    assert net(x).mean() > 4            # back to running statistics (mean 0, var 1)


def test_batch_norm_statistics_need_one_architecture_per_batch():
    with pytest.raises(ValueError, match='target_sampling'):
        build_trainer(target_sampling='sample', supernet_bn='batch')


def test_generation_meets_the_budget_and_refuses_out_of_range_targets():
    trainer = build_trainer()
    targets = [6.5, 7.3, 8.1, 9.7, 10.5]
    projections = trainer.generate(targets, tolerance=0.01)
    for target, projection in zip(targets, projections):
        assert abs(trainer.cost_table.arch_mflops(projection.arch) - target) <= 0.01 * target
        assert projection.raw_arch == SPACE.decode(trainer.generate_logits(
            torch.tensor([target]))[0])
    raw = trainer.generate(targets, tolerance=None)
    assert all(p.steps == 0 and p.arch == p.raw_arch for p in raw)
    with pytest.raises(ConstraintRangeError, match=r'\[12.0\] MFLOPs outside the trained range'):
        trainer.generate([8.0, 12.0])
    assert len(trainer.generate([12.0], extrapolate=True)) == 1


def test_range_ends_that_float32_cannot_hold_are_inside_the_range():
    # 6.6 and 10.3 round below and above themselves in float32; the ends of the trained range
    # (and the validation grid, which starts and stops there) must still generate.
    low, high = 6.6, 10.3
    assert float(torch.tensor(low)) != low and float(torch.tensor(high)) != high
    trainer = build_trainer(constraint_range=(low, high))
    projections = trainer.generate([low, high], tolerance=0.01)
    for target, projection in zip([low, high], projections):
        assert abs(projection.cost - target) <= 0.01 * target
    assert trainer.val_grid()['targets'][0] == pytest.approx(low)
    with pytest.raises(ConstraintRangeError, match='outside the trained range'):
        trainer.generate([low - 1e-3])


def test_priors_are_stored_in_the_checkpoint_state():
    trainer = build_trainer(num_priors=3)
    state = trainer.state_dict()
    assert state['priors'].shape == (3, 114, 4) and state['prior_keys'].shape == (3, )
    for prior, key in zip(state['priors'], state['prior_keys']):
        assert abs(trainer.cost_table.arch_mflops(SPACE.decode(prior)) - key) <= 0.02 * key
    again = build_trainer(num_priors=3)
    assert torch.equal(again.state_dict()['priors'], state['priors'])   # same seed, same priors


def test_a_range_outside_the_space_is_refused():
    with pytest.raises(ConstraintRangeError, match='inside the range of the search space'):
        build_trainer(constraint_range=(1.0, 9.0))


def test_wrong_supernet_checkpoint_is_refused_with_a_clear_error(tmp_path):
    trainer = build_trainer()
    path = tmp_path / 'other.pth'
    state = {k: v for k, v in trainer.supernet.state_dict().items()}
    key = 'backbone.head.conv.weight'
    state[key] = torch.zeros(7, 7, 1, 1)
    torch.save({'state_dict': state}, path)
    with pytest.raises(ValueError, match=f'does not fit the supernet.*{key}'):
        trainer.load_supernet(str(path))


@pytest.mark.parametrize('change, message', [
    (dict(constraint_range=(7.0, 10.0)), 'constraint_range'),
    (dict(input_size=28), 'input_size'),
    (dict(generator=dict(type='mmsgnas.ArchitectureGenerator', channels=32,
                         constraint_encoding='fourier')), 'constraint_encoding'),
])
def test_a_generator_checkpoint_with_other_settings_is_refused(tmp_path, change, message):
    from mmsgnas.engine import load_model_weights
    trainer = build_trainer()
    path = tmp_path / 'generator.pth'
    torch.save(dict(state_dict=trainer.state_dict()), path)
    load_model_weights(build_trainer(), str(path))            # the same settings load
    other = build_trainer(**change)
    with pytest.raises(GeneratorSettingsError, match=f'{message}: checkpoint'):
        load_model_weights(other, str(path))


def test_a_generator_of_another_space_macro_is_refused(tmp_path):
    from mmsgnas.engine import load_model_weights
    trainer = build_trainer()
    path = tmp_path / 'generator.pth'
    torch.save(dict(state_dict=trainer.state_dict()), path)
    cfg = Config.fromfile(CONFIG)
    cfg.model.supernet_checkpoint = None
    cfg.model.supernet.backbone.kernel_order = 'sorted'
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        other = MODELS.build(cfg.model)
    with pytest.raises(GeneratorSettingsError, match='space: checkpoint'):
        load_model_weights(other, str(path))


def test_argmax_cost_is_the_decoded_architectures_cost_with_the_softmax_gradient():
    """cost_on='argmax': the constraint loss costs exactly the architecture the argmax decodes
    to, and a gradient reaches every decision through the softmax (straight-through)."""
    trainer = build_trainer(cost_on='argmax')
    logits = trainer.generate_logits(torch.tensor([7.0, 9.5])).detach().requires_grad_()
    weights = trainer.costed_weights(logits, None)
    costs = trainer.cost_table.soft_mflops(weights)
    for cost, l in zip(costs, logits):
        assert cost.item() == pytest.approx(trainer.cost_table.arch_mflops(SPACE.decode(l)),
                                            rel=1e-6)
    costs.sum().backward()
    assert torch.isfinite(logits.grad).all()
    # every layer's first sub-block (always active, no skip) gets a gradient
    assert (logits.grad.reshape(2, 19, 6, 4)[:, :, 0, :3].abs().sum(-1) > 0).all()


def test_constraint_errors_and_bad_options():
    target = torch.tensor([8.0, 8.0])
    cost = torch.tensor([8.8, 7.2])           # 10 % over, 10 % under
    squared = build_trainer(constraint_error='squared', over_weight=1.2)
    absolute = build_trainer(constraint_error='absolute', over_weight=1.2)
    assert squared.constraint_loss(cost, target).item() == pytest.approx((1.2 + 1) * 0.01 / 2)
    assert absolute.constraint_loss(cost, target).item() == pytest.approx((1.2 + 1) * 0.1 / 2)
    with pytest.raises(ValueError, match='cost_on'):
        build_trainer(cost_on='hard')
    with pytest.raises(ValueError, match='constraint_error'):
        build_trainer(constraint_error='cubic')


@pytest.mark.parametrize('sampling,norm', [('batch', 'batch'), ('sample', 'running')])
def test_extra_constraint_samples_are_costed_without_running_the_supernet(sampling, norm):
    """constraint_samples=K: the constraint loss averages K targets per step; only the first
    (one per batch, or one per sample) run the supernet."""
    from contextlib import contextmanager

    from mmpretrain.structures import DataSample
    samples = [DataSample().set_gt_label(i % 10) for i in range(4)]
    inputs = torch.randn(4, 3, 32, 32)

    def step(constraint_samples):
        torch.manual_seed(0)
        trainer = build_trainer(constraint_samples=constraint_samples, target_sampling=sampling,
                                supernet_bn=norm)
        trainer.train()
        seen = {}
        using, constraint_loss = trainer.supernet.backbone.using, trainer.constraint_loss

        @contextmanager
        def recording_using(weights):
            seen['run'] = weights.shape
            with using(weights):
                yield

        def recording_loss(cost, targets):
            seen['costed'] = cost.shape
            return constraint_loss(cost, targets)

        trainer.supernet.backbone.using = recording_using
        trainer.constraint_loss = recording_loss
        torch.manual_seed(3)
        return trainer.loss(inputs, samples), seen, trainer

    draws = 1 if sampling == 'batch' else 4
    paper, seen, _ = step(1)
    assert seen == {'run': (4, 114, 4), 'costed': (draws, )}
    again, _, _ = step(1)
    assert all(torch.equal(paper[k], again[k]) for k in paper)
    many, seen, trainer = step(12)
    assert seen == {'run': (4, 114, 4), 'costed': (12, )}
    many['loss_constraint'].backward()
    grads = [p.grad for p in trainer.generator.parameters()]
    assert all(g is not None for g in grads) and sum(g.abs().sum() for g in grads) > 0
    with pytest.raises(ValueError, match='constraint_samples'):
        build_trainer(constraint_samples=0)
