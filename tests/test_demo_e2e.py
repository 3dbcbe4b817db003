"""The README's main job (tools/run_demo.sh) on a very short schedule: every stage runs through
the standard tools and the report collects every artefact."""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
def test_main_job_produces_every_artefact_of_the_report(tmp_path):
    work = tmp_path / 'demo'
    env = dict(os.environ, WORK_DIR=str(work), DEMO_QUICK='1', MMSGNAS_SKIP_SETUP='1')
    result = subprocess.run(['bash', os.path.join(ROOT, 'tools/run_demo.sh')], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]

    stages = [line.split('\t') for line in (work / 'timings.tsv').read_text().splitlines()]
    assert [s[0] for s in stages] == [
        'data', '1. supernet training', '2. generator training',
        '3. generation: 19 budgets in one forward pass',
        '4. baselines: random search and evolution vs the generator',
        '5a. retraining a generated network from scratch',
        '5b. RetinaNet with the searched backbone on digits-COCO',
        '6. NAS-Bench-201: query search on the benchmark, SGNAS on its cells']
    assert all(int(s[1]) >= 0 for s in stages)

    report = (work / 'report' / 'report.md').read_text()
    assert 'not produced' not in report and 'n/a' not in report
    for name in ('target_vs_generated_19.png', 'accuracy_vs_flops.png', 'target_vs_generated.png',
                 'nb201_query_curves.png', 'nb201_accuracy_vs_flops.png'):
        assert (work / 'report' / name).stat().st_size > 0
        assert f'({name})' in report or name == 'target_vs_generated.png'

    assert len(list((work / 'generated').glob('subnet_*.yaml'))) == 19
    compare = json.loads((work / 'compare' / 'compare.json').read_text())
    for row in compare['rows']:
        for name in ('generator', 'random', 'evolution', 'weaknas'):
            for entry in row['methods'][name]:
                assert 0 <= entry['supernet-test'] <= 100
        for entry in row['methods']['generator']:
            assert abs(entry['flops'] - row['budget']) <= 0.01 * row['budget']
    retrain = json.loads((work / 'retrain' / 'test_metrics.json').read_text())
    assert 0 <= retrain['metrics']['accuracy/top1'] <= 100
    for name in ('retinanet', 'retinanet_mobilenetv2'):   # searched and MobileNetV2 backbones
        metrics = json.loads((work / name / 'test_metrics.json').read_text())['metrics']
        assert 0 <= metrics['coco/bbox_mAP'] <= 1 and 0 <= metrics['coco/bbox_mAP_50'] <= 1

    # NAS-Bench-201: the searches' picks carry the benchmark's recorded accuracies
    curves = json.loads((work / 'nb201' / 'query_curves' / 'curves.json').read_text())
    assert {m['name'] for m in curves['methods']} == {'random', 'rea', 'weaknas'}
    nb201 = json.loads((work / 'nb201' / 'compare' / 'compare.json').read_text())
    assert len(nb201['rows']) == 2
    for row in nb201['rows']:
        for name in ('generator', 'random'):
            for entry in row['methods'][name]:
                assert 0 < entry['cifar10-test'] < 100 and 0 <= entry['digits-test'] <= 100

    # a rerun skips the finished trainings and rewrites the same report
    rerun = subprocess.run(['bash', os.path.join(ROOT, 'tools/run_demo.sh')], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    assert rerun.returncode == 0, (rerun.stdout + rerun.stderr)[-5000:]
    assert 'skipped: ' in rerun.stdout
