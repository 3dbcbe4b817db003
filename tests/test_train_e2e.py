"""End to end through the standard tools: digits data, supernet training, --resume, tools/test.py."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, 'configs/demo/supernet_digits.py')


def run(args, cwd):
    result = subprocess.run([sys.executable] + args, cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def dist_train(config, args, cwd, port, processes=2):
    """tools/dist_train.sh (torchrun, DDP over gloo on CPU) with one thread per process; the log,
    after asserting the run succeeded."""
    env = dict(os.environ, PORT=str(port), OMP_NUM_THREADS='1',
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH'])
    result = subprocess.run(
        ['bash', os.path.join(ROOT, 'tools/dist_train.sh'), config, str(processes), *args],
        cwd=cwd, env=env, capture_output=True, text=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return log


@pytest.mark.slow
def test_supernet_trains_resumes_and_tests(tmp_path):
    run([os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'), '--out', 'data/digits'],
        tmp_path)
    work = tmp_path / 'work'
    common = ['--work-dir', str(work), '--cfg-options', 'train_cfg.val_interval=1',
              'default_hooks.checkpoint.interval=1', 'default_hooks.logger.interval=5']
    run([os.path.join(ROOT, 'tools/train.py'), CONFIG, *common[:2], *common[2:],
         'train_cfg.max_epochs=2', 'param_scheduler.1.T_max=1', 'param_scheduler.1.end=2'],
        tmp_path)
    assert (work / 'epoch_2.pth').is_file()

    log = run([os.path.join(ROOT, 'tools/train.py'), CONFIG, '--resume', *common,
               'train_cfg.max_epochs=3', 'param_scheduler.1.T_max=2', 'param_scheduler.1.end=3'],
              tmp_path)
    assert 'resumed epoch: 2' in log
    assert 'Epoch(train)   [1]' not in log and 'Epoch(train) [1]' not in log
    assert 'Epoch(train) [3]' in log.replace('  ', ' ').replace('  ', ' ')
    assert (work / 'epoch_3.pth').is_file()

    log = run([os.path.join(ROOT, 'tools/test.py'), CONFIG, str(work / 'epoch_3.pth'),
               '--work-dir', str(tmp_path / 'test')], tmp_path)
    assert 'accuracy/top1' in log

    out = tmp_path / 'random.json'
    run([os.path.join(ROOT, 'tools/analysis/eval_random_subnets.py'), CONFIG,
         str(work / 'epoch_3.pth'), '--num', '2', '--out', str(out)], tmp_path)
    summary = json.loads(out.read_text())
    assert summary['num'] == 2 and 0 <= summary['min'] <= summary['mean'] <= summary['max'] <= 100

    check_recalibration_helps(tmp_path, work / 'epoch_3.pth')


def check_recalibration_helps(tmp_path, checkpoint):
    """On a trained supernet, subnets score at least as well with recalibrated BN statistics
    (the running statistics of supernet training mix all paths)."""
    import random
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope
    from mmengine.runner import Runner
    from mmsgnas.engine import load_model_weights
    from mmsgnas.evaluation import SubnetEvaluator
    cfg = Config.fromfile(os.path.join(ROOT, 'configs/demo/random_search_digits.py'))
    search = cfg.search_cfg
    for loader in (search.dataloader, search.recal_dataloader):
        loader.dataset.data_root = str(tmp_path / 'data/digits')
    cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
        val = Runner.build_dataloader(search.dataloader)
        train = Runner.build_dataloader(search.recal_dataloader, seed=0)
    load_model_weights(model, str(checkpoint))
    plain = SubnetEvaluator(model, val)
    recalibrated = SubnetEvaluator(model, val, train, recal_batches=4)
    rng = random.Random(0)
    archs = [model.backbone.space.sample(rng) for _ in range(6)]
    plain_accs = [plain(a) for a in archs]
    recal_accs = [recalibrated(a) for a in archs]
    assert sum(recal_accs) >= sum(plain_accs), (plain_accs, recal_accs)


@pytest.mark.slow
def test_distributed_training_with_torchrun_on_two_cpu_processes(tmp_path):
    """tools/dist_train.sh (torchrun, DDP over gloo) trains the supernet with two processes."""
    run([os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'), '--out', 'data/digits'],
        tmp_path)
    log = dist_train(CONFIG, ['--work-dir', str(tmp_path / 'work'), '--cfg-options',
                              'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                              'default_hooks.checkpoint.interval=1'], tmp_path, port=29517)
    # mmengine's environment report: a distributed run over two processes ("GPU number" is its
    # name for the world size), 17 iterations per epoch = 1078 images / (2 x 32)
    assert 'Distributed training: True' in log and 'GPU number: 2' in log
    assert '[1][10/17]' in log
    assert (tmp_path / 'work' / 'epoch_1.pth').is_file()


@pytest.mark.slow
@pytest.mark.parametrize('config, options, port', [
    # DARTS (its own DDP wrapper runs the model's alternating alpha / weight step)
    ('configs/darts/darts_nb201_digits.py', ['train_cfg.arch_dataloader.dataset.indices=128'],
     29521),
    # Single-Path NAS with the cost term on from the start (its cost is averaged over ranks)
    ('configs/single_path/single_path_digits.py', ['model.cost.delay_epochs=0'], 29523)],
    ids=['darts', 'single_path'])
def test_search_supernets_train_under_ddp_on_two_cpu_processes(tmp_path, config, options, port):
    run([os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'), '--out', 'data/digits'],
        tmp_path)
    work = tmp_path / 'work'
    log = dist_train(os.path.join(ROOT, config), [
        '--work-dir', str(work), '--cfg-options', 'train_cfg.max_epochs=1',
        'train_dataloader.dataset.indices=128', *options], tmp_path, port=port)
    assert 'Distributed training: True' in log and 'GPU number: 2' in log
    assert (work / 'epoch_1.pth').is_file()
    if 'single_path' in config:   # the decoded architecture, written once by rank 0
        from mmsgnas.space import load_subnet
        _, meta = load_subnet(str(work / 'single_path_subnet.yaml'))
        assert meta['flops'] > 0 and meta['target'] == 8.5


@pytest.mark.slow
def test_generator_trains_and_search_writes_subnets_reproducibly(tmp_path):
    """Supernet (1 epoch) -> generator (2 epochs) -> tools/search.py twice gives identical files."""
    run([os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'), '--out', 'data/digits'],
        tmp_path)
    run([os.path.join(ROOT, 'tools/train.py'), CONFIG, '--work-dir', 'sup', '--cfg-options',
         'train_cfg.max_epochs=1', 'train_dataloader.dataset.indices=256'], tmp_path)
    gen_config = os.path.join(ROOT, 'configs/demo/generator_digits.py')
    log = run([os.path.join(ROOT, 'tools/train.py'), gen_config, '--work-dir', 'gen',
               '--cfg-options', 'model.supernet_checkpoint=sup/epoch_1.pth',
               'train_cfg.max_epochs=2', 'train_cfg.val_interval=2', 'model.val_targets=5',
               'train_dataloader.dataset.indices=128'],
              tmp_path)
    assert 'generator/flops_error' in log and 'generator/kendall_tau' in log
    outs = []
    for name in ('a', 'b'):
        run([os.path.join(ROOT, 'tools/search.py'), gen_config, 'gen/epoch_2.pth',
             '--range', '7', '10', '4', '--out-dir', name], tmp_path)
        outs.append({p.name: p.read_bytes() for p in (tmp_path / name).iterdir()
                     if p.suffix != '.png'})
    # 4 subnets + csv + md + generation.json (the marker that lets a rerun replace the folder)
    assert outs[0] == outs[1] and len(outs[0]) == 7
    assert (tmp_path / 'a' / 'flops.png').stat().st_size > 0
    result = subprocess.run([sys.executable, os.path.join(ROOT, 'tools/search.py'), gen_config,
                             'gen/epoch_2.pth', '--constraints', '20', '--out-dir', 'c'],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0 and 'outside the trained range' in result.stderr
    assert not (tmp_path / 'c').exists()

    # The baselines through tools/search.py (loop mode), then the comparison tool.
    random_config = os.path.join(ROOT, 'configs/demo/random_search_digits.py')
    log = run([os.path.join(ROOT, 'tools/search.py'), random_config, 'sup/epoch_1.pth',
               '--work-dir', 'rs', '--cfg-options', 'search_cfg.num_samples=4',
               'search_cfg.flops_budget=7.5'], tmp_path)
    assert '[random] done: 4 candidates' in log
    log = run([os.path.join(ROOT, 'tools/search.py'), random_config, 'sup/epoch_1.pth',
               '--work-dir', 'rs', '--resume', '--cfg-options', 'search_cfg.num_samples=6',
               'search_cfg.flops_budget=7.5'], tmp_path)
    assert 'resumed from' in log and '[random] done: 6 candidates' in log
    result = subprocess.run([sys.executable, os.path.join(ROOT, 'tools/search.py'),
                             random_config, 'sup/epoch_1.pth', '--work-dir', 'rs2',
                             '--cfg-options', 'search_cfg.flops_budget=1.0'],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode != 0 and 'below the smallest architecture' in result.stderr
    assert not (tmp_path / 'rs2' / 'random_search').exists()

    # The harness (tools/analysis/compare_search.py) on those methods and WeakNAS, twice: the second
    # run reuses the cached judge scores and the search states and gives the same table.
    compare = os.path.join(ROOT, 'configs/compare/search_digits.py')
    options = ['--cfg-options', 'comparison.budgets.num=2', 'comparison.seeds=[0,1]',
               'comparison.cloud.num=3', 'comparison.methods.0.checkpoint=gen/epoch_2.pth',
               'comparison.methods.1.checkpoint=sup/epoch_1.pth',
               'comparison.methods.1.overrides.num_samples=4',
               'comparison.methods.2.checkpoint=sup/epoch_1.pth',
               'comparison.methods.2.overrides.population_size=4',
               'comparison.methods.2.overrides.top_k=2',
               'comparison.methods.2.overrides.num_mutation=2',
               'comparison.methods.2.overrides.num_crossover=2',
               'comparison.methods.2.overrides.max_generations=2',
               'comparison.methods.3.checkpoint=sup/epoch_1.pth',
               'comparison.methods.3.overrides.max_queries=4',
               'comparison.methods.3.overrides.init_samples=2',
               'comparison.methods.3.overrides.samples_per_round=2',
               'comparison.judges.0.checkpoint=sup/epoch_1.pth']
    run([os.path.join(ROOT, 'tools/analysis/compare_search.py'), compare, '--out-dir', 'cmp',
         *options], tmp_path)
    summary = json.loads((tmp_path / 'cmp' / 'compare.json').read_text())
    assert summary['seeds'] == [0, 1] and len(summary['rows']) == 2
    assert [m['name'] for m in summary['methods']] == ['generator', 'random', 'evolution',
                                                        'weaknas']
    for row in summary['rows']:
        assert len(row['cloud']['archs']) == 3
        for name in ('generator', 'random', 'evolution', 'weaknas'):
            entries = row['methods'][name]
            assert [e['seed'] for e in entries] == [0, 1]
            assert all(e['flops'] <= row['budget'] * 1.01 and 0 <= e['supernet-test'] <= 100
                       for e in entries), entries
            cell = row['summary'][name]['supernet-test']
            assert cell['mean'] == pytest.approx(sum(e['supernet-test'] for e in entries) / 2)
            base = row['cloud']['summary']['supernet-test']['mean']
            assert cell['ri'] == pytest.approx(100 * (cell['mean'] - base) / base)
    for name in ('compare.md', 'accuracy_vs_flops_supernet-test.png', 'target_vs_generated.png'):
        assert (tmp_path / 'cmp' / name).stat().st_size > 0
    run([os.path.join(ROOT, 'tools/analysis/compare_search.py'), compare, '--out-dir', 'cmp',
         *options], tmp_path)
    again = json.loads((tmp_path / 'cmp' / 'compare.json').read_text())
    assert [r['summary'] for r in again['rows']] == [r['summary'] for r in summary['rows']]
