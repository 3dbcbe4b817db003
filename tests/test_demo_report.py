"""The main job's report names every missing artefact and copies what exists."""
import os

from mmsgnas.evaluation.demo_report import write_demo_report


def test_empty_work_dir_names_every_missing_artefact(tmp_path):
    report = open(write_demo_report(str(tmp_path))).read()
    for artefact in ('timings.tsv', 'random_subnets.json', os.path.join('generated', 'summary.md'),
                     os.path.join('compare', 'compare.md'), os.path.join('retrain', 'test_metrics.json'),
                     'compare_transfer.md', os.path.join('query_curves', 'curves.md'),
                     os.path.join('nb201', 'compare', 'compare.md')):
        assert f'{artefact}` is missing' in report, artefact
    headings = [line for line in report.splitlines() if line.startswith('## ')]
    assert [h.split('.')[0] for h in headings] == [
        '## Stages and wall time', '## 1', '## 2-3', '## 4', '## 5a', '## 5b', '## 6', '## 7']
    assert 'the README\'s "Search quality on Fashion-MNIST"' in report


def test_nb201_tables_and_plots_are_collected(tmp_path):
    for sub, name, text in (('nb201/query_curves', 'curves.md', '| random | 93.84 |'),
                            ('nb201/compare', 'compare.md', '| 4.75 | 92.45 |')):
        os.makedirs(tmp_path / sub)
        (tmp_path / sub / name).write_text(text + '\n')
    (tmp_path / 'nb201/compare/accuracy_vs_flops_cifar10-test.png').write_bytes(b'png')
    (tmp_path / 'timings.tsv').write_text('data\t30\tdigits\n6. NAS-Bench-201\t90\tnote\n')
    path = write_demo_report(str(tmp_path), nb201_command='python tools/analysis/compare_search.py X')
    report = open(path).read()
    assert '| random | 93.84 |' in report and '| 4.75 | 92.45 |' in report
    assert 'Reproduce: `python tools/analysis/compare_search.py X`' in report
    assert '| **all stages** | **2.0 min** | after set-up |' in report
    assert (tmp_path / 'report' / 'nb201_accuracy_vs_flops.png').read_bytes() == b'png'
    assert not (tmp_path / 'report' / 'nb201_query_curves.png').exists()
    assert 'nb201/query_curves/cifar10-valid.png' not in report


def test_reproduce_commands_name_the_checkpoints_the_trainings_ended_with(tmp_path):
    import json
    (tmp_path / 'supernet').mkdir()
    (tmp_path / 'supernet' / 'random_subnets.json').write_text(json.dumps(
        dict(num=2, split='val', mean=30.0, std=1.0, min=29.0, max=31.0)))
    (tmp_path / 'supernet' / 'last_checkpoint').write_text(
        str(tmp_path / 'supernet' / 'epoch_45.pth'))
    (tmp_path / 'generated').mkdir()
    (tmp_path / 'generated' / 'summary.md').write_text('| target |\n')
    report = open(write_demo_report(str(tmp_path))).read()
    supernet = os.path.join(str(tmp_path), 'supernet', 'epoch_45.pth')
    assert f'configs/demo/supernet_digits.py {supernet} --num 2' in report
    assert f'model.supernet_checkpoint={supernet}`' in report
    # no generator training yet: the config's own final epoch is named
    generator = os.path.join(str(tmp_path), 'generator', 'epoch_60.pth')
    assert f'configs/demo/generator_digits.py {generator} --range' in report


def test_fashion_mnist_tables_are_shown_when_the_measurement_ran(tmp_path):
    fmnist = tmp_path / 'fmnist'
    (fmnist / 'compare').mkdir(parents=True)
    (fmnist / 'compare' / 'compare.md').write_text('## supernet-test\n\n| 5.600 | 87.49 |\n\n'
                                                  '## Search time\n')
    report = open(write_demo_report(str(tmp_path / 'demo'), fmnist_dir=str(fmnist))).read()
    section = report[report.index('## 7.'):]
    assert 'configs/compare/search_fmnist.py' in section
    assert '### supernet-test' in section and '### Search time' in section
    assert '| 5.600 | 87.49 |' in section
    assert os.path.join('scratch', 'scratch.md') + '` is missing' in section
    (fmnist / 'scratch').mkdir()
    (fmnist / 'scratch' / 'scratch.md').write_text('# From scratch at 7.000 MFLOPs\n\n| gen |\n')
    report = open(write_demo_report(str(tmp_path / 'demo'), fmnist_dir=str(fmnist))).read()
    assert '### From scratch at 7.000 MFLOPs' in report and '| gen |' in report
    # by default the outputs are looked for beside the main job's work dir
    default = open(write_demo_report(str(tmp_path / 'demo'))).read()
    assert '| 5.600 | 87.49 |' in default
