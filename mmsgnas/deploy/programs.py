"""Writing and loading the exported forms: a ``torch.export`` program (``.pt2``, loads with plain
torch) and an ONNX model (torch's exporter, run by onnxruntime)."""
import os
import warnings
from typing import Callable, Optional

import torch
from torch import nn

from .deps import require_onnx

#: a form of the network: [N, 3, H, W] float32 tensor -> [N, classes] float32 tensor
Form = Callable[[torch.Tensor], torch.Tensor]

PROGRAM_FILE = 'model.pt2'
ONNX_FILE = 'model.onnx'
MAX_BATCH = 4096


def export_program(module: nn.Module, example: torch.Tensor, path: str) -> None:
    """``torch.export`` ``module`` (eval mode) with a dynamic batch dimension (1..4096) and save
    it to ``path`` (``torch.export.save``)."""
    batch = torch.export.Dim('batch', min=1, max=MAX_BATCH)
    with torch.no_grad():
        program = torch.export.export(module.eval(), (example, ), dynamic_shapes=({0: batch}, ))
    torch.export.save(program, path)


def load_program(path: str) -> Form:
    """The saved program as a callable (``torch.export.load(path).module()``)."""
    module = torch.export.load(path).module()

    def run(x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return module(x)
    run.module = module   # type: ignore[attr-defined]
    return run


def export_onnx(program_path: str, path: str, opset: int) -> None:
    """Convert the saved ``torch.export`` program to ONNX (``torch.onnx.export(...,
    dynamo=True)``, opset ``opset``, weights inside the file, batch dimension dynamic) and check
    the result with ``onnx.checker``."""
    modules = require_onnx()
    program = torch.export.load(program_path)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        onnx_program = torch.onnx.export(program, dynamo=True, opset_version=opset,
                                         external_data=False, verbose=False,
                                         input_names=['images'], output_names=['logits'])
    onnx_program.save(path)
    model = modules['onnx'].load(path)
    modules['onnx'].checker.check_model(model)
    found = {o.domain or 'ai.onnx': o.version for o in model.opset_import}.get('ai.onnx')
    if found != opset:
        raise RuntimeError(f'{path}: asked for ONNX opset {opset}, the exporter wrote {found}')


def onnxruntime_session(path: str, threads: int, providers: Optional[list] = None):
    """An onnxruntime InferenceSession of ``path`` with ``threads`` intra-op threads (1 inter-op
    thread, all graph optimisations), on ``providers`` (default: the CPU provider)."""
    ort = require_onnx()['onnxruntime']
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    # no busy-waiting of idle pool threads after a run: the latency measurement interleaves
    # onnxruntime with torch on the same cores, and spinning threads would slow torch down
    options.add_session_config_entry('session.intra_op.allow_spinning', '0')
    return ort.InferenceSession(path, options, providers=providers or ['CPUExecutionProvider'])


def onnxruntime_form(session) -> Form:
    """A session as a callable on CPU tensors."""
    name = session.get_inputs()[0].name

    def run(x: torch.Tensor) -> torch.Tensor:
        array = x.detach().to('cpu', torch.float32).contiguous().numpy()
        return torch.from_numpy(session.run(None, {name: array})[0])
    run.session = session   # type: ignore[attr-defined]
    return run


def module_form(module: nn.Module) -> Form:
    """An nn.Module (eval mode) as a callable without autograd."""
    module.eval()

    def run(x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return module(x)
    return run


def file_size_mb(path: str) -> float:
    """Size of ``path`` in MB (10^6 bytes)."""
    return os.path.getsize(path) / 1e6
