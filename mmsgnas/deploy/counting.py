"""FLOPs and parameters recounted on the exported graphs, against mmsgnas.cost.

FLOPs are conv + linear multiply-accumulates of one image, in millions (MFLOPs), as
mmsgnas.cost counts them (BN, activations, pooling, additions, biases and the normalisation of
the input not counted):

* on the ``torch.export`` program: mmengine's FlopAnalyzer on ``ExportedProgram.module()`` (the
  same counter tests/test_cost.py holds the look-up tables against, here on the exported graph);
* on the ONNX model: from the graph itself, after ONNX shape inference, for each ``Conv``
  (output elements x input channels per group x kernel area) and ``Gemm`` / ``MatMul``
  (output elements x reduced dimension). This is what onnxruntime is handed, counted without
  torch.
"""
import math
from typing import Dict, Sequence

import torch
from torch import nn

from ..cost import se_mflops
from ..cost.counter import CONV_LINEAR_OPS
from ..space import Arch, UnifiedSpace


def expected_mflops(space: UnifiedSpace, arch: Arch, input_size: int, num_classes: int,
                    se: bool) -> float:
    """MFLOPs of the stand-alone classifier by mmsgnas.cost (look-up table, + SE when used)."""
    table = space.cost_table(input_size, num_classes)
    return table.arch_mflops(arch) + (se_mflops(space.macro, arch) if se else 0.0)


def mmengine_mflops(module: nn.Module, image_shape: Sequence[int]) -> float:
    """Conv + linear MFLOPs of ``module`` on one [1, *image_shape] input by mmengine's
    FlopAnalyzer (the module is traced as it is; no train/eval switch, which an exported
    program's module does not allow)."""
    from mmengine.analysis import FlopAnalyzer
    analyzer = FlopAnalyzer(module, torch.zeros(1, *image_shape))
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    return sum(v for k, v in analyzer.by_operator().items() if k in CONV_LINEAR_OPS) / 1e6


def _dims(value_info) -> list:
    return [d.dim_value if d.HasField('dim_value') else None
            for d in value_info.type.tensor_type.shape.dim]


def onnx_mflops(path: str) -> float:
    """Conv + Gemm/MatMul MFLOPs per image of the ONNX model at ``path`` (its spatial input size
    fixed, its batch dimension taken as 1), counted on the graph after shape inference."""
    import onnx
    model = onnx.shape_inference.infer_shapes(onnx.load(path))
    graph = model.graph
    shapes = {v.name: _dims(v) for v in [*graph.input, *graph.value_info, *graph.output]}
    shapes.update({t.name: list(t.dims) for t in graph.initializer})

    def per_image(name: str) -> list:
        dims = shapes.get(name)
        if dims is None or any(d is None for d in dims[1:]):
            raise ValueError(f'{path}: no static shape for "{name}" after shape inference')
        return dims

    macs = 0
    for node in graph.node:
        if node.op_type == 'Conv':
            out = per_image(node.output[0])
            weight = shapes[node.input[1]]          # [C_out, C_in / groups, kH, kW]
            macs += math.prod(out[1:]) * math.prod(weight[1:])
        elif node.op_type in ('Gemm', 'MatMul'):
            out = per_image(node.output[0])
            first = per_image(node.input[0])
            trans_a = any(a.name == 'transA' and a.i for a in node.attribute)
            reduced = first[0] if trans_a and node.op_type == 'Gemm' else first[-1]
            macs += math.prod(out[1:]) * reduced
    return macs / 1e6


def onnx_params(path: str) -> float:
    """Floating-point initializer elements of the ONNX model, in millions."""
    import onnx
    floats = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE,
              onnx.TensorProto.BFLOAT16}
    return sum(math.prod(t.dims) for t in onnx.load(path).graph.initializer
               if t.data_type in floats) / 1e6


def module_params(module: nn.Module) -> float:
    """Parameters of a module, in millions."""
    return sum(p.numel() for p in module.parameters()) / 1e6


def program_params(path: str) -> Dict[str, float]:
    """Parameters and buffers (millions) of a saved ``torch.export`` program, by its graph
    signature."""
    program = torch.export.load(path)
    signature = program.graph_signature
    state = program.state_dict
    params = sum(state[n].numel() for n in signature.parameters) / 1e6
    buffers = sum(state[n].numel() for n in signature.buffers if n in state)
    buffers += sum(program.constants[n].numel() for n in signature.buffers
                   if n not in state and n in program.constants)
    return dict(params=params, buffers=buffers / 1e6)
