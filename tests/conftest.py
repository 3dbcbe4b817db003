import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def pytest_configure(config):
    config.addinivalue_line('markers', 'slow: end-to-end runs of a few minutes (run in CI)')


@pytest.fixture
def rng():
    import random
    return random.Random(1234)
