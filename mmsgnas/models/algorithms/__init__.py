from .generator_trainer import ConstraintRangeError, GeneratorTrainer
from .supernet_classifier import SupernetClassifier

__all__ = ["ConstraintRangeError", "GeneratorTrainer", "SupernetClassifier"]
