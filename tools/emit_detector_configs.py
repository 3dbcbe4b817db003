"""Write a RetinaNet config for every subnet of a generation, and a script that trains them all.

    python tools/emit_detector_configs.py GENERATION_DIR [--base CONFIG] [--name retinanet]
        [--init-checkpoint 'work_dirs/retrain_{stem}/epoch_20.pth'] [--work-root DIR]

GENERATION_DIR is an output of ``tools/search.py CONFIG CHECKPOINT --range ... --out-dir DIR``.
Writes, into it: ``<name>_<subnet>.py`` per subnet file (inheriting --base, default the COCO
config ``configs/retinanet/retinanet_sgnas_fpn_1x_coco.py``; ``configs/demo/retinanet_digits.py``
for the digits main job), ``train_<name>.sh`` (``GPUS=8 bash .../train_<name>.sh`` for DDP) and
``<name>_runs.json``. Then ``tools/analysis/plot_detector_budgets.py GENERATION_DIR`` plots mAP
against budget from the runs that finished.
"""
import argparse

from mmsgnas.engine.detector_configs import emit_detector_configs


def main(argv=None) -> list:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('generation_dir')
    parser.add_argument('--base', default='configs/retinanet/retinanet_sgnas_fpn_1x_coco.py',
                        help='detector config to inherit (its backbone a SearchedMobileNet)')
    parser.add_argument('--name', default='retinanet', help='detector name in the file names')
    parser.add_argument('--init-checkpoint',
                        help='initial backbone checkpoint; {stem} and {constraint} are replaced '
                        'per subnet (default: none, random initialisation)')
    parser.add_argument('--work-root', help='where the runs go (default: GENERATION_DIR/NAME)')
    args = parser.parse_args(argv)
    emitted = emit_detector_configs(args.generation_dir, args.base, args.name,
                                    args.init_checkpoint, args.work_root)
    for item in emitted:
        print(f'{item.config}  (budget {item.constraint}, runs in {item.work_dir})')
    print(f'{len(emitted)} configs; train and test them all with: '
          f'bash {args.generation_dir.rstrip("/")}/train_{args.name}.sh')
    return emitted


if __name__ == '__main__':
    main()
