"""Datasets: mmsgnas uses mmpretrain's and mmdet's; here only Fashion-MNIST's fixed splits."""
from .fashion_mnist import FashionMNISTSplit

__all__ = ['FashionMNISTSplit']
