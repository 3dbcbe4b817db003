"""Loops, hooks and search procedures of mmsgnas."""
from .generation import GeneratedSubnet, generate_subnets, load_generator, write_generation
from .hooks import GumbelTemperatureHook

__all__ = ['GeneratedSubnet', 'generate_subnets', 'load_generator', 'write_generation', 'GumbelTemperatureHook']
