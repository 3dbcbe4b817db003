"""Collect the main job's results into one markdown report with its plots beside it.

    python tools/analysis/demo_report.py [--work-dir work_dirs/demo]

Writes <work-dir>/report/report.md from what the stages of tools/run_demo.sh wrote into the work
dir (mmsgnas.evaluation.demo_report).
"""
import argparse

from mmsgnas.evaluation.demo_report import write_demo_report


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--compare-command', default='see tools/run_demo.sh, stage 4',
                        help='the command line of the comparison, shown in the report')
    parser.add_argument('--nb201-command', default='see tools/run_demo.sh, stage 6',
                        help='the command line of the NAS-Bench-201 comparison')
    parser.add_argument('--fmnist-dir', help='outputs of the Fashion-MNIST measurement '
                        '(default: the fmnist folder beside --work-dir)')
    args = parser.parse_args(argv)
    path = write_demo_report(args.work_dir, args.compare_command, args.nb201_command,
                             args.fmnist_dir)
    print(f'report written to {path}')
    return path


if __name__ == '__main__':
    main()
