"""Export a searched classifier with a parity check (the logic of tools/deploy/export.py).

:func:`run_export` builds the classifier of a subnet file with the weights of a checkpoint
(:mod:`mmsgnas.deploy.loading`), folds its BNs, writes a ``torch.export`` program and an ONNX
model, and holds both against the PyTorch model on real images of the config's data loader:
logits, top-1 agreement, FLOPs recounted on the exported graphs against mmsgnas.cost, and the
latency of each form measured side by side. Everything goes to a temporary folder that is moved
to ``out_dir`` only if parity holds; otherwise to ``<out_dir>.rejected`` and
:class:`ParityError` is raised.
"""
import copy
import itertools
import json
import os
import shlex
import shutil
import sys
import tempfile
from typing import Any, Dict, List, Optional

import torch
from torch.nn.modules.batchnorm import _BatchNorm

from ..utils.machine import cpu_name
from ..engine.generation import check_replaceable, replace_folder
from .counting import (expected_mflops, mmengine_mflops, module_params, onnx_mflops,
                       onnx_params, program_params)
from .deps import require_onnx
from .latency import measure_latency
from .loading import build_export_source, load_config
from .parity import (ParityError, ParityTolerance, collect_logits, flops_failures,
                     image_batches, parity_failures, parity_figures)
from .programs import (ONNX_FILE, PROGRAM_FILE, export_onnx, export_program, load_program,
                       module_form, onnxruntime_form, onnxruntime_session)
from .report import markdown_report
from .wrapper import DeployableClassifier, bn_channels, fold_batchnorms

REPORT_JSON = 'parity.json'   # also the marker of a folder this tool wrote
REPORT_MD = 'parity.md'
EXPECTED = 'mmsgnas.cost (look-up table)'

#: settings of the ``export`` dict of a config, with their defaults
EXPORT_DEFAULTS: Dict[str, Any] = dict(
    device='cpu',              # where the model is built and the exported program runs
    fold_bn=True,              # fold BNs into convs before exporting
    preprocess=True,           # channel flip + normalisation inside the exported graph
    dataloader='test_dataloader',
    max_images=None,           # parity on at most this many images (None: all)
    onnx=dict(opset=18),
    parity=dict(),             # ParityTolerance fields
    latency=dict(batch_sizes=[1, 64], warmup=5, repeats=30, threads=None),
)


def export_settings(cfg) -> Dict[str, Any]:
    """The config's ``export`` dict over :data:`EXPORT_DEFAULTS` (unknown keys refused)."""
    given = dict(cfg.get('export') or {})
    unknown = sorted(set(given) - set(EXPORT_DEFAULTS))
    if unknown:
        raise ValueError(f'{getattr(cfg, "filename", "config")}: export has unknown key(s) '
                         f'{unknown}; known: {sorted(EXPORT_DEFAULTS)}')
    settings = copy.deepcopy(EXPORT_DEFAULTS)
    for key, value in given.items():
        if isinstance(settings[key], dict) and isinstance(value, dict):
            settings[key].update(value)
        else:
            settings[key] = value
    return settings


def _device_form(form, device: str):
    return lambda x: form(x.to(device))


def run_export(subnet: str, checkpoint: str, config: str, out_dir: str,
               cfg_options: Optional[dict] = None, skip_onnx: bool = False,
               threads: Optional[int] = None, max_images: Optional[int] = None,
               command: Optional[str] = None) -> Dict[str, Any]:
    """Export, check parity, write the report; returns the report dict.

    Args:
        subnet: the subnet file.
        checkpoint: a retrained classifier, a supernet, or tools/extract_subnet.py's output.
        config: the export config (a classifier config with an ``export`` dict).
        out_dir: where the program, the ONNX model and the reports go (replaced only if it is an
            earlier output of this tool).
        cfg_options: overrides of the config (``--cfg-options``).
        skip_onnx: no ONNX model and no onnxruntime (when onnx / onnxruntime are absent).
        threads: threads of torch and onnxruntime (default: ``export.latency.threads``, else
            torch's current number).
        max_images: parity on at most this many images (default ``export.max_images``: all).
    Raises:
        ParityError: an exported form is outside the tolerance (the output then goes to
            ``<out_dir>.rejected``; ``out_dir`` is left as it was).
        MissingDependencyError: onnx / onnxscript / onnxruntime absent and ``skip_onnx`` unset.
    """
    cfg = load_config(config, cfg_options)
    settings = export_settings(cfg)
    tolerance = ParityTolerance.from_cfg(settings['parity'])
    onnx_modules = None if skip_onnx else require_onnx()
    out_dir = os.path.abspath(out_dir)
    rejected = out_dir + '.rejected'
    check_replaceable(out_dir, REPORT_JSON)
    check_replaceable(rejected, REPORT_JSON)
    device = settings['device']
    latency_cfg = settings['latency']
    threads = threads or (latency_cfg or {}).get('threads') or torch.get_num_threads()
    torch.set_num_threads(int(threads))
    max_images = max_images if max_images is not None else settings['max_images']

    source = build_export_source(subnet, checkpoint, cfg, device)
    eager = DeployableClassifier.from_classifier(source.model, settings['preprocess']).eval()
    exported = copy.deepcopy(eager).eval()
    folding = dict(enabled=bool(settings['fold_bn']), folded=0,
                   left=sum(isinstance(m, _BatchNorm) for m in exported.modules()))
    if settings['fold_bn']:
        folding.update(fold_batchnorms(exported))

    if settings['dataloader'] not in cfg or not cfg[settings['dataloader']]:
        raise ValueError(f'{config}: no {settings["dataloader"]} to check parity on')
    loader_cfg = cfg[settings['dataloader']]
    batches = image_batches(loader_cfg, cfg.get('default_scope') or 'mmpretrain', max_images)
    first = next(batches, None)
    if first is None:
        raise ValueError(f'{config}: {settings["dataloader"]} gave no images')
    with torch.no_grad():
        example = source.model.data_preprocessor(dict(inputs=first[0][:2]), False)['inputs'] \
            if not settings['preprocess'] else torch.stack(first[0][:2]).float()
    image_shape = tuple(first[0][0].shape)

    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.{os.path.basename(out_dir)}.tmp-', dir=parent)
    try:
        program_path = os.path.join(tmp, PROGRAM_FILE)
        export_program(exported, example.to(device), program_path)
        program = load_program(program_path)
        forms = {'torch.export': _device_form(program, device)}
        onnx_path = None
        if onnx_modules is not None:
            onnx_path = os.path.join(tmp, ONNX_FILE)
            export_onnx(program_path, onnx_path, int(settings['onnx']['opset']))
            session = onnxruntime_session(onnx_path, int(threads))
            forms['onnxruntime'] = onnxruntime_form(session)

        data = collect_logits(source.model, forms, itertools.chain([first], batches),
                              settings['preprocess'])
        figures = parity_figures(data)
        failures = parity_failures(figures, list(forms), tolerance)

        size = image_shape[1]
        flops: Dict[str, Optional[float]] = {
            EXPECTED: (expected_mflops(source.space, source.arch, size, source.num_classes,
                                       source.se) if image_shape[1] == image_shape[2] else None),
            'PyTorch model (mmengine)': mmengine_mflops(eager, image_shape),
            'torch.export program (mmengine)': mmengine_mflops(program.module, image_shape),
        }
        if onnx_path:
            flops['ONNX graph (Conv, Gemm, MatMul)'] = onnx_mflops(onnx_path)
        expected_key = EXPECTED if flops[EXPECTED] is not None else 'PyTorch model (mmengine)'
        failures += flops_failures(flops, expected_key, tolerance)

        eager_params = module_params(source.model)
        saved = program_params(program_path)
        params = {'PyTorch model': eager_params,
                  'torch.export program': saved['params'],
                  'PyTorch model minus folded BN channels (expected for the program)':
                      eager_params - (bn_channels(source.model) - bn_channels(exported)) / 1e6,
                  'torch.export buffers (normalisation, unfolded BN statistics)': saved['buffers']}
        if onnx_path:
            params['ONNX float initializers'] = onnx_params(onnx_path)

        latency = None
        if latency_cfg:
            timed = {'PyTorch eager': _device_form(module_form(eager), device), **forms}
            batches_ms = measure_latency(timed, image_shape, latency_cfg['batch_sizes'],
                                         int(latency_cfg['warmup']), int(latency_cfg['repeats']))
            latency = dict(threads=int(threads), warmup=int(latency_cfg['warmup']),
                           repeats=int(latency_cfg['repeats']), cpu=cpu_name(), unit='ms',
                           batches={str(k): v for k, v in batches_ms.items()})

        dataset = loader_cfg.get('dataset', {})
        report: Dict[str, Any] = dict(
            status='failed' if failures else 'passed', failures=failures,
            source=dict(subnet=subnet, checkpoint=checkpoint, config=config, kind=source.kind,
                        arch=source.space.describe(source.arch), se=source.se, act=source.act,
                        num_classes=source.num_classes, notes=source.notes),
            artifacts=dict(program=PROGRAM_FILE, torch=torch.__version__,
                           onnx=ONNX_FILE if onnx_path else None,
                           opset=int(settings['onnx']['opset']) if onnx_path else None,
                           onnx_version=onnx_modules['onnx'].__version__ if onnx_modules else None,
                           onnxruntime=(onnx_modules['onnxruntime'].__version__
                                        if onnx_modules else None)),
            input=eager.input_spec(), bn_folding=folding,
            parity=dict(images=int(len(data.reference)), dataloader=settings['dataloader'],
                        reference_max_abs_logit=float(data.reference.abs().max()),
                        dataset=' '.join(str(dataset.get(k)) for k in
                                         ('type', 'data_root', 'split', 'data_prefix', 'ann_file')
                                         if dataset.get(k)),
                        image_shape=list(image_shape),
                        reference='the mmpretrain classifier in PyTorch eager (its data '
                                  'preprocessor, then forward in tensor mode)',
                        tolerance=tolerance.__dict__, figures=figures),
            flops=dict(unit='MFLOPs (conv + linear MACs of one image / 1e6)',
                       expected=expected_key, values=flops),
            params=params, latency=latency,
            environment=dict(python=sys.version.split()[0], torch=torch.__version__,
                             cpu=cpu_name(), device=device),
            command=command or '')
        with open(os.path.join(tmp, REPORT_JSON), 'w') as f:
            json.dump(report, f, indent=1)
        with open(os.path.join(tmp, REPORT_MD), 'w') as f:
            f.write(markdown_report(report))
        if failures:
            replace_folder(tmp, rejected, REPORT_JSON)
            raise ParityError(
                'parity check failed:\n  ' + '\n  '.join(failures) +
                f'\n(tolerance: export.parity in {config}). Nothing was written to {out_dir}; '
                f'the rejected export and its report are in {rejected}')
        replace_folder(tmp, out_dir, REPORT_JSON)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


def default_command(argv: List[str]) -> str:
    """The command line that reproduces a run (for the report)."""
    return 'python tools/deploy/export.py ' + ' '.join(shlex.quote(a) for a in argv)
