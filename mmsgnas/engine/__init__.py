"""Loops and hooks of mmsgnas."""
from .hooks import GumbelTemperatureHook

__all__ = ['GumbelTemperatureHook']
