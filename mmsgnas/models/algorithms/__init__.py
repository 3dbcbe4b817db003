from .darts import DartsDistributedDataParallel, DartsOptimWrapperConstructor, DartsSupernet
from .generator_trainer import ConstraintRangeError, GeneratorSettingsError, GeneratorTrainer
from .single_path_nas import SinglePathNAS
from .supernet_classifier import SupernetClassifier

__all__ = ['DartsDistributedDataParallel', 'DartsOptimWrapperConstructor', 'DartsSupernet', 'ConstraintRangeError', 'GeneratorSettingsError', 'GeneratorTrainer',
           'SinglePathNAS', 'SupernetClassifier']
