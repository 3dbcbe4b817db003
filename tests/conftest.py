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


@pytest.fixture(scope='session')
def digits_workspace(tmp_path_factory):
    """A folder holding ``data/digits`` (the configs read it relative to the cwd), made once per
    test session, so tests do not depend on the user's own ``data/``."""
    import subprocess
    root = tmp_path_factory.mktemp('digits_workspace')
    done = subprocess.run([sys.executable, os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'),
                           '--out', 'data/digits'], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return root
