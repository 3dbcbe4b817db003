"""The architecture generator."""
from .architecture_generator import ArchitectureGenerator

__all__ = ['ArchitectureGenerator']
