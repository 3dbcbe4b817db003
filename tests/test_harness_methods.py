import random

import pytest

from mmsgnas.evaluation.harness.methods import SubnetFilesMethod, training_seconds
from mmsgnas.space import NasBench201Space, save_subnet


def write_log(folder, name, lines):
    run = folder / name
    run.mkdir(parents=True)
    (run / f'{name}.log').write_text(''.join(f'{stamp} - mmengine - INFO - {text}\n'
                                             for stamp, text in lines))


def test_training_seconds_adds_up_training_logs_and_skips_search_logs(tmp_path):
    write_log(tmp_path, '20261205_010000', [('2026/12/05 01:00:00', 'Config:'),
                                            ('2026/12/05 01:01:40', 'Epoch(train) [1][10/34]'),
                                            ('2026/12/05 01:02:00', 'Saving checkpoint')])
    write_log(tmp_path, '20261205_020000', [('2026/12/05 02:00:00', 'Config:'),
                                            ('2026/12/05 02:00:30', 'Iter(train) [10/100]')])
    write_log(tmp_path, '20261205_030000', [('2026/12/05 03:00:00', 'Config:'),
                                            ('2026/12/05 03:05:00', '[darts-pt] step 1/6')])
    assert training_seconds(str(tmp_path)) == 120.0 + 30.0
    assert training_seconds(str(tmp_path / 'nothing')) is None


def test_subnet_files_add_the_training_time_of_a_separate_selection(tmp_path):
    space = NasBench201Space(C=8, N=1)
    arch = space.sample(random.Random(0))
    for seed in (0, 1):
        save_subnet(tmp_path / f's{seed}' / 'selected_subnet.yaml', arch,
                    dict(search_seconds=20.5, train_seconds=None), space)
    write_log(tmp_path / 's0', 'run', [('2026/12/05 01:00:00', 'Config:'),
                                       ('2026/12/05 01:07:00', 'Epoch(train) [20][34/34]')])
    method = SubnetFilesMethod(str(tmp_path / 's{seed}' / 'selected_subnet.yaml'), 'darts_pt',
                               train_dir=str(tmp_path / 's{seed}'))
    (choice, ) = method.choose([None], 0, str(tmp_path / 'out'), space=space)
    assert choice.arch == space.canonical(arch) and choice.seconds == 420.0 + 20.5
    assert choice.extra['training_seconds'] == 420.0
    with pytest.raises(FileNotFoundError, match='no training log in .*s1'):
        method.choose([None], 1, str(tmp_path / 'out'), space=space)
    plain = SubnetFilesMethod(str(tmp_path / 's{seed}' / 'selected_subnet.yaml'), 'darts_pt')
    assert plain.choose([None], 1, str(tmp_path / 'out'), space=space)[0].seconds == 20.5
