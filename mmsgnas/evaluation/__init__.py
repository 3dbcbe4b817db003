"""Metrics and evaluators of searches."""
from .generator_metric import GeneratorMetric
from .subnet_evaluator import SubnetEvaluator

__all__ = ['GeneratorMetric', 'SubnetEvaluator']
