"""Export a searched network to a torch.export program and ONNX, with a parity check.

    python tools/deploy/export.py SUBNET.yaml CHECKPOINT --config configs/deploy/export_digits.py
        [--out-dir work_dirs/export/NAME] [--max-images N] [--threads T] [--skip-onnx]
        [--cfg-options export.parity.max_abs_diff=1e-4 ...]

CHECKPOINT is a retrained classifier (tools/train.py with a retrain config), a supernet (its
weights are sliced on the subnet's path, as tools/extract_subnet.py does), or
tools/extract_subnet.py's output. The config is a classifier config (macro, classes, data
preprocessor, test data) with an ``export`` dict: BN folding, ONNX opset, the parity tolerance,
latency batch sizes (see configs/deploy/export_digits.py).

Writes into --out-dir: model.pt2 (torch.export; loads with plain torch:
``torch.export.load('model.pt2').module()``), model.onnx, parity.md and parity.json (logit
differences and top-1 agreement of the exported forms against the PyTorch model on the data
loader's images, FLOPs and parameters recounted on the exported graphs against mmsgnas.cost,
latency of each form side by side). Exit status: 0 parity holds; 1 parity outside the tolerance
(the export goes to OUT_DIR.rejected, OUT_DIR is left as it was); 2 bad input or a missing
optional package (onnx, onnxscript, onnxruntime: install them or pass --skip-onnx).
"""
import argparse
import os
import sys

from mmengine.config import DictAction

from mmsgnas.deploy import (ExportInputError, MissingDependencyError, ParityError,
                            run_export)
from mmsgnas.deploy.export import default_command
from mmsgnas.space import SubnetFileError


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('subnet', help='subnet file (.yaml)')
    parser.add_argument('checkpoint', help='retrained classifier or supernet checkpoint')
    parser.add_argument('--config', required=True,
                        help='export config, e.g. configs/deploy/export_digits.py')
    parser.add_argument('--out-dir', help='default: work_dirs/export/<subnet file name>')
    parser.add_argument('--max-images', type=int, help='parity on the first N images only')
    parser.add_argument('--threads', type=int, help='threads of torch and onnxruntime')
    parser.add_argument('--skip-onnx', action='store_true',
                        help='no ONNX model and no onnxruntime check (they are optional)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    out_dir = args.out_dir or os.path.join(
        'work_dirs', 'export', os.path.splitext(os.path.basename(args.subnet))[0])
    try:
        report = run_export(args.subnet, args.checkpoint, args.config, out_dir,
                            cfg_options=args.cfg_options, skip_onnx=args.skip_onnx,
                            threads=args.threads, max_images=args.max_images,
                            command=default_command(argv))
    except ParityError as err:
        print(f'export.py: {err}', file=sys.stderr)
        return 1
    except (ExportInputError, MissingDependencyError, SubnetFileError, FileNotFoundError,
            ValueError) as err:
        print(f'export.py: error: {err}', file=sys.stderr)
        return 2
    figures = report['parity']['figures']
    for name in ('torch.export', 'onnxruntime'):
        if name in figures:
            f = figures[name]
            print(f'{name}: max |logit diff| {f["max_abs_diff"]:.3g}, mean '
                  f'{f["mean_abs_diff"]:.3g}, top-1 agreement {f["top1_agreement"] * 100:.2f} % '
                  f'on {report["parity"]["images"]} images')
    print(f'parity holds; written to {out_dir} (parity.md, parity.json, model.pt2'
          f'{", model.onnx" if report["artifacts"]["onnx"] else ""})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
