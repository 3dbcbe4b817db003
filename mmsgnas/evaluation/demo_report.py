"""The main job's report: what the stages of tools/run_demo.sh wrote into its work dir (stage
timings, the random subnets of the supernet check, the generated subnets, the search comparison,
the retrained classifiers' and the detectors' test metrics, the NAS-Bench-201 searches) collected
into one markdown file with its plots beside it. A missing artefact is named in the report, never
invented."""
import csv
import json
import os
import shutil
from typing import List, Optional

from ..utils import write_text_atomic
from ..utils.tool_runs import REPO_ROOT

SUPERNET_CONFIG = 'configs/demo/supernet_digits.py'
GENERATOR_CONFIG = 'configs/demo/generator_digits.py'

PLOTS = [('generated/flops.png', 'target_vs_generated_19.png'),
         ('compare/accuracy_vs_flops_supernet-test.png', 'accuracy_vs_flops.png'),
         ('compare/target_vs_generated.png', 'target_vs_generated.png'),
         ('nb201/query_curves/cifar10-valid.png', 'nb201_query_curves.png'),
         ('nb201/compare/accuracy_vs_flops_cifar10-test.png', 'nb201_accuracy_vs_flops.png')]


def read_json(path: str) -> Optional[dict]:
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def missing(path: str) -> str:
    return f'_not produced: `{path}` is missing (see the stage\'s output above it in the log)._\n'


def read_markdown(path: str) -> Optional[str]:
    """The text of a stage's markdown table without its trailing newlines, or None if absent."""
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return f.read().rstrip()


def final_checkpoint(folder: str, config: str) -> str:
    """The checkpoint a finished training in ``folder`` ended with (mmengine's ``last_checkpoint``
    file), or, when there is none, the one ``config`` (a path under the repository) ends with."""
    pointer = os.path.join(folder, 'last_checkpoint')
    if os.path.isfile(pointer):
        with open(pointer) as f:
            name = os.path.basename(f.read().strip())
        if name:
            return os.path.join(folder, name)
    from mmengine.config import Config
    epochs = Config.fromfile(os.path.join(REPO_ROOT, config)).train_cfg.max_epochs
    return os.path.join(folder, f'epoch_{epochs}.pth')


def timings_section(work_dir: str) -> List[str]:
    path = os.path.join(work_dir, 'timings.tsv')
    lines = ['## Stages and wall time', '']
    if not os.path.isfile(path):
        return lines + [missing(path)]
    lines += ['| stage | wall time | note |', '|---|---|---|']
    total = 0.0
    with open(path) as f:
        for stage, seconds, note in csv.reader(f, delimiter='\t'):
            total += float(seconds)
            lines.append(f'| {stage} | {float(seconds) / 60:.1f} min | {note} |')
    lines += [f'| **all stages** | **{total / 60:.1f} min** | after set-up |', '',
              'Times of the latest run of each stage: a rerun of tools/run_demo.sh skips finished '
              'trainings and resumes finished searches, so its times are short.', '']
    return lines


def supernet_section(work_dir: str) -> List[str]:
    lines = ['## 1. Supernet', '']
    summary = read_json(os.path.join(work_dir, 'supernet', 'random_subnets.json'))
    if summary is None:
        return lines + [missing(os.path.join(work_dir, 'supernet', 'random_subnets.json'))]
    supernet = final_checkpoint(os.path.join(work_dir, 'supernet'), SUPERNET_CONFIG)
    lines += [f'{summary["num"]} random subnets with inherited weights (BN statistics as trained), '
              f'{summary["split"]} top-1: mean {summary["mean"]:.2f} %, std {summary["std"]:.2f}, '
              f'min {summary["min"]:.2f}, max {summary["max"]:.2f}.', '',
              f'Reproduce: `python tools/train.py {SUPERNET_CONFIG} --work-dir '
              f'{work_dir}/supernet`, then `python tools/analysis/eval_random_subnets.py '
              f'{SUPERNET_CONFIG} {supernet} --num '
              f'{summary["num"]}`', '']
    return lines


def generation_section(work_dir: str) -> List[str]:
    path = os.path.join(work_dir, 'generated', 'summary.md')
    lines = ['## 2-3. Generator: one forward pass for all budgets', '']
    text = read_markdown(path)
    if text is None:
        return lines + [missing(path)]
    supernet = final_checkpoint(os.path.join(work_dir, 'supernet'), SUPERNET_CONFIG)
    generator = final_checkpoint(os.path.join(work_dir, 'generator'), GENERATOR_CONFIG)
    lines += ['Target vs generated FLOPs (MFLOPs at 32x32), parameters (M) of the stand-alone '
              'classifier, expansion rate of each of the 19 layers:', '', text, '',
              '![target vs generated](target_vs_generated_19.png)', '',
              f'Reproduce: `python tools/train.py {GENERATOR_CONFIG} --work-dir '
              f'{work_dir}/generator --cfg-options model.supernet_checkpoint={supernet}`, then '
              f'`python tools/search.py {GENERATOR_CONFIG} {generator} --range '
              f'6.5 10.5 19 --out-dir {work_dir}/generated`', '']
    script = os.path.join(work_dir, 'generated', 'train_retinanet.sh')
    if os.path.isfile(script):
        lines += [f'A RetinaNet config per budget (`{work_dir}/generated/retinanet_subnet_*.py`, '
                  'from `configs/demo/retinanet_digits.py`) and one script that trains and tests '
                  f'them all: `bash {script}` (`GPUS=N` for DDP; backbones start from random '
                  'weights unless `tools/emit_detector_configs.py --init-checkpoint` names their '
                  'retrained classifiers); then `python tools/analysis/plot_detector_budgets.py '
                  f'{work_dir}/generated` plots mAP against budget.', '']
    return lines


def comparison_section(work_dir: str, command: str) -> List[str]:
    path = os.path.join(work_dir, 'compare', 'compare.md')
    lines = ['## 4. Generated vs random search, evolution and WeakNAS (same supernet)', '']
    text = read_markdown(path)
    if text is None:
        return lines + [missing(path)]
    return lines + [text, '', '![accuracy vs FLOPs](accuracy_vs_flops.png)', '',
                    f'Reproduce: `{command}`', '']


def test_command(record: dict) -> str:
    """The tools/test.py command line that produced ``record`` (a --metrics-out file)."""
    options = record.get('cfg_options') or {}
    line = f'python tools/test.py {record["config"]} {record["checkpoint"]}'
    if options:
        line += ' --cfg-options ' + ' '.join(f'{k}={v}' for k, v in options.items())
    return f'`{line}`'


def transfer_section(work_dir: str) -> List[str]:
    lines = ['## 5a. Retraining a generated network from scratch (digits, test split)', '']
    retrain = read_json(os.path.join(work_dir, 'retrain', 'test_metrics.json'))
    if retrain is None:
        lines.append(missing(os.path.join(work_dir, 'retrain', 'test_metrics.json')))
    else:
        subnet = (retrain.get('cfg_options') or {}).get('model.backbone.subnet', 'of the config')
        lines += [f'Subnet `{subnet}` (SE, h-swish): test top-1 '
                  f'{retrain["metrics"].get("accuracy/top1", float("nan")):.2f} %.', '',
                  f'Reproduce: {test_command(retrain)}', '']
    lines += ['## 5b. RetinaNet: the searched backbone vs MobileNetV2 at matched FLOPs '
              '(digits-COCO val, mmdet CocoMetric, seed 0)', '']
    keys = ['coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75', 'coco/bbox_mAP_s',
            'coco/bbox_mAP_m', 'coco/bbox_mAP_l']
    rows = [('searched, from its retrained classifier', 'retinanet'),
            ('MobileNetV2, from its retrained classifier', 'retinanet_mobilenetv2'),
            ('searched, randomly initialised', 'retinanet_scratch')]
    lines += ['| backbone | ' + ' | '.join(k.split('/')[1] for k in keys) + ' |',
              '|---|' + '---|' * len(keys)]
    commands = []
    for label, name in rows:
        record = read_json(os.path.join(work_dir, name, 'test_metrics.json'))
        if record is None and name == 'retinanet_scratch':
            continue   # the contrast run is optional (not part of tools/run_demo.sh)
        if record is None:
            lines.append(f'| {label} | ' + ' | '.join('not produced' for _ in keys) + ' |')
            continue
        values = record['metrics']
        lines.append(f'| {label} | ' + ' | '.join(
            f'{values[k]:.3f}' if isinstance(values.get(k), float) else 'n/a' for k in keys) + ' |')
        commands.append(test_command(record))
    lines += ['', 'mAP_l is -1: the canvases hold no object larger than 96x96 pixels.', '']
    lines += [f'Reproduce: {c}' for c in commands] + ['']
    table = os.path.join(work_dir, 'compare_transfer.md')
    lines += ['### Side by side (tools/analysis/compare_transfer.py)', '']
    text = read_markdown(table)
    lines += [missing(table)] if text is None else [text, '']
    lines += ['Over seeds 0, 1, 2 (about 45 min on 2 CPU cores; resumable; mean ± std in '
              '`work_dirs/compare_transfer/compare_transfer.md`): `python '
              'tools/analysis/compare_transfer.py --subnet '
              f'{(retrain or {}).get("cfg_options", {}).get("model.backbone.subnet", "SUBNET.yaml")}'
              ' --seeds 0 1 2 --out-dir work_dirs/compare_transfer`', '']
    return lines


def nb201_section(work_dir: str, command: str) -> List[str]:
    lines = ['## 6. NAS-Bench-201: searches judged by the benchmark\'s recorded accuracies', '']
    curves = os.path.join(work_dir, 'nb201', 'query_curves', 'curves.md')
    lines += ['### Query mode: random search, REA and WeakNAS by look-up', '']
    text = read_markdown(curves)
    if text is None:
        lines.append(missing(curves))
    else:
        lines += [text, '', '![query curves](nb201_query_curves.png)', '',
                  'Reproduce: `python tools/analysis/query_curves.py '
                  'configs/nasbench201/query_curves_nb201_fair.py` (see tools/run_demo.sh for '
                  'the main job\'s runs and queries; the README has the 100-run table)', '']
    table = os.path.join(work_dir, 'nb201', 'compare', 'compare.md')
    lines += ['### SGNAS on the NAS-Bench-201 cells (supernet and generator trained on digits)', '',
              'The supernet was trained on digits, not CIFAR: the benchmark columns say how well a '
              'ranking learnt on digits transfers to CIFAR-10, CIFAR-100 and ImageNet16-120, not '
              'how SGNAS does when searched on CIFAR-10 as in the paper.', '']
    text = read_markdown(table)
    if text is None:
        return lines + [missing(table)]
    return lines + [text, '', '![every benchmark cell, the random cloud and the chosen cells]'
                    '(nb201_accuracy_vs_flops.png)', '', f'Reproduce: `{command}`', '']


FMNIST_COMMANDS = (
    'python tools/data/make_fashion_mnist.py',
    'python tools/train.py configs/fmnist/supernet_fmnist.py --work-dir work_dirs/fmnist/supernet',
    'for s in 0 1 2; do python tools/train.py configs/fmnist/generator_fmnist.py --work-dir '
    'work_dirs/fmnist/generator_s$s --cfg-options randomness.seed=$s '
    'model.supernet_checkpoint=work_dirs/fmnist/supernet/epoch_8.pth; done',
    'python tools/analysis/compare_search.py configs/compare/search_fmnist.py',
    'python tools/analysis/scratch_protocol.py work_dirs/fmnist/compare/compare.json --config '
    'configs/fmnist/retrain_fmnist.py --budget 2 --num-random 8 --epochs 3 --images 20000 '
    '--noise-seeds 1 2 3 --out-dir work_dirs/fmnist/scratch')


def fmnist_section(fmnist_dir: str) -> List[str]:
    """Digits cannot resolve search quality; this points to the Fashion-MNIST measurement (too long
    for the main job) and shows its latest tables when they are in ``fmnist_dir``."""
    lines = ['## 7. Search quality beyond digits: Fashion-MNIST', '',
             'Digits saturates (section 4: the random cloud lies within about one score\'s '
             'interval), so the search-quality comparison runs on Fashion-MNIST (70,000 images), '
             'outside the main job (about 1.5 h on 2 CPU cores, plus about 1 h for the '
             'from-scratch protocol):', '']
    lines += [f'    {c}' for c in FMNIST_COMMANDS] + ['']
    compare = os.path.join(fmnist_dir, 'compare', 'compare.md')
    text = read_markdown(compare)
    if text is None:
        return lines + [f'Not run here (`{compare}` is missing); the README\'s "Search quality on '
                        'Fashion-MNIST" has the numbers these commands gave.', '']
    demoted = ('\n' + text).replace('\n## ', '\n### ')[1:]   # its sections under this one
    lines += [f'Latest result in `{compare}`:', '', demoted, '']
    scratch = os.path.join(fmnist_dir, 'scratch', 'scratch.md')
    text = read_markdown(scratch)
    lines += [missing(scratch)] if text is None else [
        f'From scratch (`{scratch}`):', '', text.replace('# ', '### ', 1)]
    return lines + ['']


def write_demo_report(work_dir: str, compare_command: str = 'see tools/run_demo.sh, stage 4',
                      nb201_command: str = 'see tools/run_demo.sh, stage 6',
                      fmnist_dir: Optional[str] = None) -> str:
    """Write ``<work_dir>/report/report.md`` (with the plots copied beside it) from what the stages
    of tools/run_demo.sh left in ``work_dir``; the commands are shown as the way to reproduce the
    comparisons. ``fmnist_dir`` holds the Fashion-MNIST measurement's outputs (default: the
    ``fmnist`` folder beside ``work_dir``, where its configs write). Returns the report's path."""
    out_dir = os.path.join(work_dir, 'report')
    os.makedirs(out_dir, exist_ok=True)
    for source, target in PLOTS:
        if os.path.isfile(os.path.join(work_dir, source)):
            shutil.copyfile(os.path.join(work_dir, source), os.path.join(out_dir, target))
    lines = ['# mmsgnas main job on the digits data (CPU)', '',
             'Digits-scale numbers: the bundled handwritten-digits sets (32x32 classification, '
             '128x128 detection canvases) on a CPU. They show the pipeline end to end, not '
             'ImageNet or COCO accuracy.', '']
    lines += timings_section(work_dir)
    lines += supernet_section(work_dir)
    lines += generation_section(work_dir)
    lines += comparison_section(work_dir, compare_command)
    lines += transfer_section(work_dir)
    lines += nb201_section(work_dir, nb201_command)
    lines += fmnist_section(fmnist_dir if fmnist_dir is not None else os.path.join(
        os.path.dirname(os.path.abspath(work_dir)), 'fmnist'))
    path = os.path.join(out_dir, 'report.md')
    write_text_atomic(path, '\n'.join(lines) + '\n')
    return path
