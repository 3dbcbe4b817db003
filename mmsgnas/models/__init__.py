"""Models of mmsgnas: ops, backbones, generator, and the algorithms a runner trains."""
from .algorithms import *  # noqa: F401,F403
from .backbones import *  # noqa: F401,F403
from .generator import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .ops import *  # noqa: F401,F403
from .builder import build_searched_classifier, build_standalone_classifier, count_params  # noqa: F401
from .utils import batch_statistics, recalibrated_bn  # noqa: F401
from .inherit import InheritError, inherit_from_supernet, standalone_state_from_supernet  # noqa: F401
