# The fair search of query_curves_nb201.py only: select by CIFAR-10 validation accuracy, report the
# chosen cell's test accuracy on CIFAR-10, CIFAR-100 and ImageNet16-120.
#   python tools/analysis/query_curves.py configs/nasbench201/query_curves_nb201_fair.py [--runs 10]
_base_ = ['./query_curves_nb201.py']

query_curves = dict(searches=[dict(dataset='cifar10', split='valid')],
                    out_dir='work_dirs/query_curves/nb201_fair')
