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
