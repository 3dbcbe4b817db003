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
    """A folder laid out as a checkout for configs that name files relative to the cwd:
    ``data/digits`` (made once per test session, so tests do not depend on the user's own
    ``data/``) and ``configs`` (a link to the repository's, for the subnet files they name)."""
    import subprocess
    root = tmp_path_factory.mktemp('digits_workspace')
    done = subprocess.run([sys.executable, os.path.join(ROOT, 'tools/data/make_digits_imagenet.py'),
                           '--out', 'data/digits'], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    (root / 'configs').symlink_to(os.path.join(ROOT, 'configs'), target_is_directory=True)
    return root
