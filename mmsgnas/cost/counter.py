"""The independent count of a built network's FLOPs by mmengine.analysis."""
import torch

#: mmengine operator names that are conv or linear multiply-accumulates.
CONV_LINEAR_OPS = ('conv', 'linear', 'addmm', 'matmul')


def count_conv_linear_mflops(model: torch.nn.Module, input_size: int) -> float:
    """MFLOPs (conv and linear MACs, as the look-up tables count) of ``model`` on one
    [1, 3, input_size, input_size] input, counted by mmengine's FlopAnalyzer on the traced graph."""
    from mmengine.analysis import FlopAnalyzer
    was_training = model.training
    model.eval()
    try:
        analyzer = FlopAnalyzer(model, torch.zeros(1, 3, input_size, input_size))
        analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
        counted = analyzer.by_operator()
    finally:
        model.train(was_training)
    return sum(v for k, v in counted.items() if k in CONV_LINEAR_OPS) / 1e6
