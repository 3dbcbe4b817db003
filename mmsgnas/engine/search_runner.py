"""Running a search loop of a config: on a trained supernet (supernet mode, through a runner) or
by benchmark queries (query mode, no runner). Used by tools/search.py and the comparison harness."""
import copy
from typing import Optional

from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from ..registry import LOOPS
from .checkpoint import load_model_weights
from .hooks import apply_configured_memory_format
from .search_loops import SearchLoop


def build_search_runner(cfg: Config, checkpoint: str, work_dir: str,
                        launcher: str = 'none') -> Runner:
    """A runner for the supernet of ``cfg`` (the supernet config a search config inherits) with
    the trained weights of ``checkpoint``; training settings of the config are not used, its
    ``ChannelsLastHook`` is (search loops run the model without the runner's hooks)."""
    cfg = copy.deepcopy(cfg)
    cfg.work_dir, cfg.launcher = work_dir, launcher
    cfg.load_from, cfg.resume = None, False
    runner = Runner.from_cfg(cfg)
    load_model_weights(runner.model, checkpoint, getattr(cfg, 'filename', None) or 'the config')
    apply_configured_memory_format(runner.model, cfg)
    return runner


def run_search_loop(runner: Optional[Runner], search_cfg: dict, resume: bool = False,
                    scope: Optional[str] = None, **overrides) -> SearchLoop:
    """Build the loop ``search_cfg`` (e.g. ``dict(type='mmsgnas.EvolutionSearchLoop', ...)``)
    with ``overrides`` on ``runner`` (None in query mode) and run it; returns the finished loop
    (``best``, ``candidates``, ``seconds``, ``queries``)."""
    loop_cfg = dict(copy.deepcopy(search_cfg), **overrides)
    if scope is None and runner is not None:
        scope = runner.cfg.get('default_scope')
    with DefaultScope.overwrite_default_scope(scope or 'mmsgnas'):
        loop = LOOPS.build(loop_cfg, default_args=dict(runner=runner, resume=resume))
    loop.run()
    return loop


def search_cfg_of(cfg: Config) -> Optional[dict]:
    """The ``search_cfg`` of a search config, None for other configs."""
    search_cfg = cfg.get('search_cfg')
    return None if search_cfg is None else dict(search_cfg)


def is_query_mode(search_cfg: dict) -> bool:
    """Whether a search config scores by benchmark query (no supernet checkpoint needed)."""
    return search_cfg.get('evaluator') is not None
