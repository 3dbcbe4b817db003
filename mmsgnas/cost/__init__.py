"""Costs of architectures: per-space look-up tables (exact and differentiable), projection onto a
budget, and the independent count by mmengine that the tables are tested against."""
from .budget import (BudgetError, Projection, check_budget, project_to_budget,
                     sample_pool_within_budget, sample_within_budget)
from .counter import count_conv_linear_mflops
from .lut import conv_output_size, se_mflops, unified_flops_table
from .table import CostTable
from .latency_lut import LatencyTableError, load_latency_table, measure_latency_table  # noqa: F401
from .switch import build_cost_table, normalise_cost_cfg  # noqa: F401

__all__ = ['BudgetError', 'Projection', 'check_budget', 'sample_within_budget',
           'sample_pool_within_budget', 'CostTable',
           'conv_output_size', 'count_conv_linear_mflops', 'project_to_budget', 'se_mflops',
           'unified_flops_table']
