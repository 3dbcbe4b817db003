"""Running the repository's tools as resumable steps (mmsgnas.utils.tool_runs)."""
import json

import pytest

from mmsgnas.utils.tool_runs import options_list, read_json, run_tool, train_until


def test_options_list_formats_lists_as_dictaction_reads_them():
    assert options_list({'a.b': 3, 'c': [1, [2, 3]], 'd': 'x'}) == ['a.b=3', 'c=[1,[2,3]]', 'd=x']
    assert options_list({}) == []


def test_run_tool_logs_the_command_and_its_output(tmp_path):
    script = tmp_path / 'tool.py'
    script.write_text('import sys\nprint("hello", sys.argv[1])\nsys.exit(3)\n')
    log = tmp_path / 'logs' / 'tool.log'
    assert run_tool([str(script), 'there'], str(log)) == 3
    text = log.read_text()
    assert text.splitlines()[0] == f'$ {script} there'
    assert 'hello there' in text


def test_train_until_skips_a_finished_step_and_reports_a_failed_one(tmp_path):
    done = tmp_path / 'done'
    done.mkdir()
    (done / 'epoch_2.pth').write_bytes(b'')
    # A finished step is not run again (the config does not even exist).
    assert train_until('missing.py', str(done), 'epoch_2.pth', {}, str(tmp_path / 'a.log')) == \
        str(done / 'epoch_2.pth')
    with pytest.raises(RuntimeError, match='training failed .*missing.py'):
        train_until('missing.py', str(tmp_path / 'new'), 'epoch_2.pth', {'x': 1},
                    str(tmp_path / 'b.log'))
    assert '--cfg-options x=1' in (tmp_path / 'b.log').read_text()


def test_read_json(tmp_path):
    assert read_json(str(tmp_path / 'none.json')) is None
    (tmp_path / 'r.json').write_text(json.dumps({'a': 1}))
    assert read_json(str(tmp_path / 'r.json')) == {'a': 1}
