"""Metrics of searches."""
