"""Loops, hooks and search procedures of mmsgnas."""
from .checkpoint import load_model_weights
from .generation import (GeneratedSubnet, OutputFolderError, generate_subnets, load_generator,
                         write_generation)
from .darts import DartsSelectionLoop, DartsTrainLoop
from .hooks import (ChannelsLastHook, CheckInvalidLossHook, GumbelTemperatureHook, InvalidLossError,
                    PreciseBNHook, apply_configured_memory_format,
                    wants_channels_last)
from .single_path_hooks import SinglePathSearchHook
from .search_loops import EvolutionSearchLoop, RandomSearchLoop, RegularizedEvolutionLoop, SearchLoop
from .weaknas import WeakNASSearchLoop
from .search_record import Candidate
from .search_runner import build_search_runner, is_query_mode, run_search_loop, search_cfg_of

__all__ = ['load_model_weights', 'GeneratedSubnet', 'OutputFolderError', 'generate_subnets',
           'load_generator', 'write_generation', 'GumbelTemperatureHook', 'EvolutionSearchLoop',
           'RandomSearchLoop', 'RegularizedEvolutionLoop', 'SearchLoop', 'Candidate',
           'build_search_runner', 'is_query_mode', 'run_search_loop', 'search_cfg_of', 'CheckInvalidLossHook', 'InvalidLossError',
           'SinglePathSearchHook', 'ChannelsLastHook', 'PreciseBNHook',
           'WeakNASSearchLoop', 'DartsSelectionLoop', 'DartsTrainLoop', 'wants_channels_last',
           'apply_configured_memory_format']
