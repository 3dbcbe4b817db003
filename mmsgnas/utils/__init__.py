"""Utilities of mmsgnas."""
from .safe_checkpoint import (CHECKPOINT_SAFE_GLOBALS, UnsafeCheckpointError,
                              install_safe_checkpoint_loading, safe_torch_load)
from .fileio import resolve_config_path, write_text_atomic
from .dist import setup_cpu_distributed, shutdown_distributed
from .setup_env import register_all_modules
from .step_benchmark import benchmark_configs, benchmark_memory_formats

__all__ = [
    'CHECKPOINT_SAFE_GLOBALS', 'UnsafeCheckpointError', 'install_safe_checkpoint_loading',
    'safe_torch_load', 'register_all_modules', 'setup_cpu_distributed',
    'shutdown_distributed', 'write_text_atomic', 'resolve_config_path',
    'benchmark_configs', 'benchmark_memory_formats'
]
