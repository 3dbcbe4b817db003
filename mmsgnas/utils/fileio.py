"""Writing files so that a reader never sees half of one."""
import os
import tempfile


def write_text_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder renamed into place
    (the folder is created if needed; on any error the temporary file is removed and ``path`` is
    left as it was)."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.', suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'w', newline='') as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


#: the repository holding this package (an editable install: the clone with configs/)
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def resolve_config_path(path: str) -> str:
    """``path`` as given when it exists; otherwise, for a relative path such as
    ``configs/demo/x.py`` named inside another config, that path under the repository, so that
    comparison configs work from any folder. Raises FileNotFoundError naming both places."""
    if os.path.isfile(path) or os.path.isabs(path):
        return path
    candidate = os.path.join(REPO_ROOT, path)
    if os.path.isfile(candidate):
        return candidate
    raise FileNotFoundError(f'config {path} not found (looked in {os.getcwd()} and {REPO_ROOT})')
