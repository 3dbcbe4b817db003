# The oracle searches of query_curves_nb201.py only: random search, REA and WeakNAS select by the
# test accuracy of CIFAR-100 and of ImageNet16-120 (the compact tables have no validation column
# for them), so the queries to each data set's global optimum can be counted.
#   python tools/analysis/query_curves.py configs/nasbench201/query_curves_nb201_oracle.py [--runs 30]
_base_ = ['./query_curves_nb201.py']

query_curves = dict(searches=[dict(dataset='cifar100', split='test'),
                              dict(dataset='ImageNet16-120', split='test')],
                    out_dir='work_dirs/query_curves/nb201_oracle')
