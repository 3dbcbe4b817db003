"""The comparison harness: methods x budgets x seeds, judged alike, against a random cloud."""
from .comparison import (ScoreCache, SearchComparison, binomial_ci, kendall_spearman, mean_std_ci,
                         relative_improvement, run_comparison)
from .judges import BenchmarkJudge, SupernetJudge, build_judge
from .methods import Choice, GeneratorMethod, SearchLoopMethod, SubnetFilesMethod, training_seconds

__all__ = ['ScoreCache', 'SearchComparison', 'binomial_ci', 'kendall_spearman', 'mean_std_ci',
           'relative_improvement',
           'run_comparison', 'BenchmarkJudge', 'SupernetJudge', 'build_judge', 'Choice',
           'GeneratorMethod', 'SearchLoopMethod', 'SubnetFilesMethod', 'training_seconds']
