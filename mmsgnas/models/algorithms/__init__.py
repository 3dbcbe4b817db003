from .supernet_classifier import SupernetClassifier

__all__ = ['SupernetClassifier']
