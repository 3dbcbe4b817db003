"""Loops, hooks and search procedures of mmsgnas."""
from .checkpoint import load_model_weights
from .generation import GeneratedSubnet, generate_subnets, load_generator, write_generation
from .hooks import GumbelTemperatureHook
from .search_loops import EvolutionSearchLoop, RandomSearchLoop, SupernetSearchLoop
from .search_record import Candidate
from .search_runner import build_search_runner, run_search_loop, search_cfg_of

__all__ = ['load_model_weights', 'GeneratedSubnet', 'generate_subnets', 'load_generator',
           'write_generation', 'GumbelTemperatureHook', 'EvolutionSearchLoop',
           'RandomSearchLoop', 'SupernetSearchLoop', 'Candidate', 'build_search_runner',
           'run_search_loop', 'search_cfg_of']
