from .generator_trainer import ConstraintRangeError, GeneratorSettingsError, GeneratorTrainer
from .supernet_classifier import SupernetClassifier

__all__ = ['ConstraintRangeError', 'GeneratorSettingsError', 'GeneratorTrainer',
           'SupernetClassifier']
