import os

import pytest

from mmsgnas.utils import write_text_atomic


def test_write_text_atomic_creates_folder_and_replaces(tmp_path):
    path = tmp_path / 'new' / 'out.json'
    write_text_atomic(str(path), 'first')
    write_text_atomic(str(path), 'second')
    assert path.read_text() == 'second'
    assert os.listdir(path.parent) == ['out.json']


def test_write_text_atomic_failure_leaves_old_file_and_no_temporary(tmp_path):
    path = tmp_path / 'out.txt'
    path.write_text('old')
    with pytest.raises(TypeError):
        write_text_atomic(str(path), b'not text')
    assert path.read_text() == 'old'
    assert os.listdir(tmp_path) == ['out.txt']
