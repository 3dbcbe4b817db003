"""Datasets and transforms: mmsgnas uses mmpretrain's and mmdet's; this package holds none yet."""
