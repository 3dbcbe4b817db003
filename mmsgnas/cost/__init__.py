"""Costs of architectures: per-layer look-up tables, the differentiable Cost(alpha), projection
onto a budget, and the independent count by mmengine that the tables are tested against."""
from .budget import BudgetError, check_budget, project_to_budget, sample_within_budget
from .counter import count_conv_linear_mflops
from .lut import CostTable, build_cost_table, conv_output_size, se_mflops

__all__ = ['BudgetError', 'check_budget', 'sample_within_budget', 'CostTable', 'build_cost_table',
           'conv_output_size', 'count_conv_linear_mflops', 'project_to_budget', 'se_mflops']
