"""Evaluate a checkpoint with an mmsgnas config (the config's test dataloader and evaluator).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl]
        [--metrics-out metrics.json] [--cfg-options ...]
    bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [args]
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmsgnas.utils import setup_cpu_distributed, shutdown_distributed, write_text_atomic


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a checkpoint with an mmsgnas config')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where the evaluation log goes')
    parser.add_argument('--out', help='dump the raw predictions to this pickle file')
    parser.add_argument('--metrics-out', help='write the metrics as JSON to this file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def write_metrics(path: str, metrics: dict, args: argparse.Namespace) -> None:
    """The metrics with the config and checkpoint they came from, written atomically."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    def plain(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    options = {k: v if isinstance(v, (str, int, float, bool, type(None))) else str(v)
               for k, v in (args.cfg_options or {}).items()}
    record = dict(config=args.config, checkpoint=args.checkpoint, cfg_options=options,
                  metrics={k: plain(v) for k, v in metrics.items()})
    write_text_atomic(path, json.dumps(record, indent=1))


def main(argv=None) -> dict:
    args = parse_args(argv)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    setup_cpu_distributed(cfg)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    runner = Runner.from_cfg(cfg)
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must be a .pkl file')
        from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    metrics = runner.test()
    if args.metrics_out is not None and runner.rank == 0:
        write_metrics(args.metrics_out, metrics, args)
    shutdown_distributed()
    return metrics


if __name__ == '__main__':
    main()
