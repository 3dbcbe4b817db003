"""From searched subnets to deployable models: export with a parity check
(:func:`run_export`). onnx, onnxscript and onnxruntime are optional: imported only
by the steps that need them (:func:`require_onnx` says what to install)."""
from .deps import MissingDependencyError, missing_onnx_packages, require_onnx
from .export import EXPORT_DEFAULTS, export_settings, run_export
from .loading import ExportInputError, ExportSource, build_export_source, checkpoint_kind
from .parity import ParityError, ParityTolerance, compare, parity_failures
from .wrapper import DeployableClassifier, bn_channels, fold_batchnorms

__all__ = [
    'MissingDependencyError', 'missing_onnx_packages', 'require_onnx', 'EXPORT_DEFAULTS',
    'export_settings', 'run_export', 'ExportInputError', 'ExportSource', 'build_export_source',
    'checkpoint_kind', 'ParityError', 'ParityTolerance', 'compare', 'parity_failures',
    'DeployableClassifier', 'bn_channels', 'fold_batchnorms'
]
