"""Loops and hooks of mmsgnas."""
