"""The optional dependencies of exporting (ONNX and onnxruntime), imported only when needed."""
from types import ModuleType
from typing import Dict, List

#: import name -> pip name of what the ONNX half of an export needs. torch's ONNX exporter
#: (``torch.onnx.export(..., dynamo=True)``, the default since torch 2.9) itself needs onnxscript.
ONNX_PACKAGES = {'onnx': 'onnx', 'onnxscript': 'onnxscript', 'onnxruntime': 'onnxruntime'}
INSTALL_HINT = ('.venv/bin/python -m pip install onnx onnxscript onnxruntime '
                '(or: pip install -r requirements/tests.txt)')


class MissingDependencyError(ImportError):
    """An optional package that the requested step needs is not installed."""


def missing_onnx_packages() -> List[str]:
    """pip names of the ONNX packages that cannot be imported (empty when all are there)."""
    import importlib.util
    return [pip for name, pip in ONNX_PACKAGES.items() if importlib.util.find_spec(name) is None]


def require_onnx(purpose: str = 'the ONNX export and the onnxruntime parity check') -> Dict[str, ModuleType]:
    """Import onnx, onnxscript and onnxruntime, or raise :class:`MissingDependencyError` naming
    the missing packages, what needs them and how to install them."""
    missing = missing_onnx_packages()
    if missing:
        raise MissingDependencyError(
            f'{purpose} needs the optional package(s) {", ".join(missing)}, which are not '
            f'installed. Install them with: {INSTALL_HINT}; or pass --skip-onnx to export and '
            'check only the torch.export program.')
    import onnx
    import onnxruntime
    import onnxscript
    return dict(onnx=onnx, onnxscript=onnxscript, onnxruntime=onnxruntime)
