"""Metrics of searches, the subnet evaluator, and the comparison harness."""
from .generator_metric import GeneratorMetric
from .harness import SearchComparison, run_comparison
from .query_curves import QueryCurves
from .subnet_evaluator import SubnetEvaluator, supernet_fingerprint

__all__ = ['GeneratorMetric', 'QueryCurves', 'SearchComparison', 'SubnetEvaluator', 'run_comparison',
           'supernet_fingerprint']
