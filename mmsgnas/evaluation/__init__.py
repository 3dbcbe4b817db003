"""Metrics of searches."""
from .generator_metric import GeneratorMetric

__all__ = ['GeneratorMetric']
