"""Running this repository's tools (``tools/train.py``, ``tools/test.py``, ...) as subprocesses,
for the analysis commands that chain trainings: each step resumes, and a finished step is skipped,
so rerunning the command continues where it stopped."""
import json
import os
import subprocess
import sys
import time
from typing import Dict, List, Optional, Sequence

from .fileio import write_text_atomic

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def options_list(options: Dict[str, object]) -> List[str]:
    """``--cfg-options`` arguments; lists and tuples in the ``[a,b]`` form DictAction parses."""
    def text(value):
        if isinstance(value, (list, tuple)):
            return '[' + ','.join(text(v) for v in value) + ']'
        return str(value)
    return [f'{key}={text(value)}' for key, value in options.items()]


def run_tool(args: Sequence[str], log_path: str) -> int:
    """Run ``python <args>`` with this interpreter, appending its output to ``log_path``; returns
    the exit code. ``args[0]`` is a script path, relative ones taken from the repository root."""
    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    script = args[0] if os.path.isabs(args[0]) else os.path.join(REPO_ROOT, args[0])
    with open(log_path, 'a') as log:
        log.write(f'$ {" ".join(args)}\n')
        log.flush()
        return subprocess.run([sys.executable, script, *args[1:]], stdout=log,
                              stderr=subprocess.STDOUT).returncode


def log_tail(path: str, lines: int = 15) -> str:
    """The last ``lines`` lines of a log file."""
    with open(path, errors='replace') as f:
        return ''.join(f.readlines()[-lines:])


def read_json(path: str) -> Optional[dict]:
    """The JSON in ``path``, None when the file does not exist."""
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def with_options(args: List[str], options: Dict[str, object]) -> List[str]:
    opts = options_list(options)
    return args + (['--cfg-options', *opts] if opts else [])


def train_until(config: str, work_dir: str, last: str, options: Dict[str, object],
                log_path: str) -> str:
    """``tools/train.py config --resume`` unless ``work_dir/last`` exists; returns that checkpoint.

    Raises:
        RuntimeError: the training failed or did not write ``last`` (with the log's tail).
    """
    checkpoint = os.path.join(work_dir, last)
    if os.path.isfile(checkpoint):
        return checkpoint
    print(f'training {work_dir} (log {log_path})', flush=True)
    code = run_tool(with_options(['tools/train.py', config, '--work-dir', work_dir, '--resume'],
                                 options), log_path)
    if code != 0 or not os.path.isfile(checkpoint):
        raise RuntimeError(f'training failed ({config}, exit {code}, no {checkpoint}); '
                           f'{log_path} ends with:\n{log_tail(log_path)}')
    return checkpoint


def train_and_test(config: str, work_dir: str, options: Dict[str, object]) -> dict:
    """``tools/train.py`` (resuming), then ``tools/test.py`` on the last checkpoint, unless the
    step's ``test_metrics.json`` exists.

    Returns:
        The step's record, also written to ``work_dir/step.json``: ``status`` ('done' or 'failed'),
        ``metrics`` (tools/test.py's metrics), ``checkpoint``, ``seconds`` (wall time of this call),
        ``skipped`` when an earlier call had finished it, ``error`` (the log's tail) when failed.
    """
    record_path = os.path.join(work_dir, 'step.json')
    metrics_path = os.path.join(work_dir, 'test_metrics.json')
    record = read_json(record_path)
    if record is not None and record.get('status') == 'done' and os.path.isfile(metrics_path):
        record['skipped'] = True
        return record
    log_path = os.path.join(work_dir, 'tools.log')
    start = time.perf_counter()
    code = run_tool(with_options(['tools/train.py', config, '--work-dir', work_dir, '--resume'],
                                 options), log_path)
    record = dict(config=config, work_dir=work_dir, cfg_options=options, log=log_path)
    last = os.path.join(work_dir, 'last_checkpoint')
    if code != 0 or not os.path.isfile(last):
        record.update(status='failed', returncode=code, error=log_tail(log_path),
                      seconds=time.perf_counter() - start)
        write_text_atomic(record_path, json.dumps(record, indent=1))
        return record
    with open(last) as f:
        checkpoint = f.read().strip()
    code = run_tool(with_options(['tools/test.py', config, checkpoint, '--work-dir',
                                  os.path.join(work_dir, 'test'), '--metrics-out', metrics_path],
                                 options), log_path)
    record.update(checkpoint=checkpoint, seconds=time.perf_counter() - start)
    if code != 0 or not os.path.isfile(metrics_path):
        record.update(status='failed', returncode=code, error=log_tail(log_path))
    else:
        record.update(status='done', metrics=read_json(metrics_path)['metrics'])
    write_text_atomic(record_path, json.dumps(record, indent=1))
    return record
