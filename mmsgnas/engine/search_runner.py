"""Running a search loop of a config on a trained supernet (used by tools/search.py and
tools/analysis/compare_search.py)."""
import copy
from typing import Optional

from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from ..registry import LOOPS
from .checkpoint import load_model_weights
from .search_loops import SupernetSearchLoop


def build_search_runner(cfg: Config, checkpoint: str, work_dir: str,
                        launcher: str = 'none') -> Runner:
    """A runner for the supernet of ``cfg`` (the supernet config a search config inherits) with
    the trained weights of ``checkpoint``; training settings of the config are not used."""
    cfg = copy.deepcopy(cfg)
    cfg.work_dir, cfg.launcher = work_dir, launcher
    cfg.load_from, cfg.resume = None, False
    runner = Runner.from_cfg(cfg)
    load_model_weights(runner.model, checkpoint, getattr(cfg, 'filename', None) or 'the config')
    return runner


def run_search_loop(runner: Runner, search_cfg: dict, resume: bool = False,
                    **overrides) -> SupernetSearchLoop:
    """Build the loop ``search_cfg`` (e.g. ``dict(type='mmsgnas.EvolutionSearchLoop', ...)``)
    with ``overrides`` on ``runner`` and run it; returns the finished loop (``best``,
    ``candidates``, ``seconds``)."""
    loop_cfg = dict(copy.deepcopy(search_cfg), **overrides)
    with DefaultScope.overwrite_default_scope(runner.cfg.get('default_scope')):
        loop = LOOPS.build(loop_cfg, default_args=dict(runner=runner, resume=resume))
    loop.run()
    return loop


def search_cfg_of(cfg: Config) -> Optional[dict]:
    """The ``search_cfg`` of a search config, None for other configs."""
    search_cfg = cfg.get('search_cfg')
    return None if search_cfg is None else dict(search_cfg)
