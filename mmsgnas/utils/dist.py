"""Distributed runs on machines without a GPU."""
import torch
import torch.distributed as dist
from mmengine.config import Config


def setup_cpu_distributed(cfg: Config) -> None:
    """Let ``--launcher pytorch`` (torchrun) work on CPU-only machines.

    mmengine 0.10 initialises the process group with ``torch.cuda.set_device(LOCAL_RANK)`` and wraps
    the model with ``device_ids=[LOCAL_RANK]``, both of which fail without a GPU. When no GPU is
    visible this initialises the gloo process group from torchrun's environment first (mmengine then
    skips its own initialisation) and wraps the model with ``device_ids=None``, as DDP requires for a
    CPU module. On GPU machines it does nothing.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available():
        return
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def shutdown_distributed() -> None:
    """Wait for every rank, then destroy the process group, so that no rank exits while another
    still talks to it (an unclean exit can abort a gloo rank with SIGABRT)."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
