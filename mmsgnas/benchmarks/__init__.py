"""Query APIs over the NAS-Bench-201 benchmark and an evaluator that scores search candidates by
query: the compact tables shipped in ``data/`` (:class:`NasBench201Table`), the official files
through their API packages (:class:`OfficialNasBench201`), and :class:`BenchmarkEvaluator`
(registered in ``ARCH_EVALUATORS``)."""
from .evaluator import BenchmarkEvaluator
from .nasbench201 import (DATA_DIR, DATASETS, NUM_CELLS, OPTIMAL_CELL, SPLITS, BenchmarkFileError,
                          BenchmarkQueryError, NasBench201Benchmark, NasBench201Table, Optimum,
                          normalize_dataset, open_benchmark, shipped_table)
from .official import (OFFICIAL_NAMES, BenchmarkPackageError, OfficialNasBench201,
                       api_setting)

__all__ = [
    'BenchmarkEvaluator', 'BenchmarkFileError', 'BenchmarkPackageError', 'BenchmarkQueryError',
    'DATA_DIR', 'DATASETS', 'NUM_CELLS', 'NasBench201Benchmark', 'NasBench201Table',
    'OFFICIAL_NAMES', 'OPTIMAL_CELL', 'OfficialNasBench201', 'Optimum', 'SPLITS', 'api_setting',
    'normalize_dataset', 'open_benchmark', 'shipped_table'
]
