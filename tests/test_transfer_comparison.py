"""The transfer table: mean ± sample std over seeds, and the difference judged against the spread."""
from mmsgnas.evaluation.transfer_comparison import summarise, transfer_markdown


def row(name, kind, mflops, maps, top1=(99.0, 99.5, 100.0)):
    run = dict(seed=0, retrain=dict(status='done'), retinanet=dict(status='done'))
    return dict(name=name, backbone_cost=dict(type=kind, mflops=mflops, mparams=0.5),
                finished=len(maps), runs=[run], top1=summarise(list(top1)),
                bbox_mAP=summarise(list(maps)), bbox_mAP_50=summarise([0.8] * len(maps)),
                bbox_mAP_75=summarise([0.7] * len(maps)),
                minutes=dict(retrain=summarise([3.0, 3.2, 3.4]),
                             retinanet=summarise([5.0, 5.0, 5.0])))


def test_summarise_is_mean_and_sample_std():
    s = summarise([0.5, 0.6, 0.7])
    assert s['n'] == 3 and abs(s['mean'] - 0.6) < 1e-12 and abs(s['std'] - 0.1) < 1e-12
    assert summarise([0.4])['std'] == 0.0 and summarise([]) == dict(n=0)


def test_difference_inside_and_outside_the_spread():
    result = dict(seeds=[0, 1, 2], shape=[128, 128], rows=[
        row('sgnas', 'SearchedMobileNet', 30.0, [0.60, 0.62, 0.64]),
        row('mobilenetv2', 'MobileNetV2', 28.5, [0.59, 0.60, 0.61]),
        row('wide', 'MobileNetV2', 36.0, [0.40, 0.41, 0.42])], command='python x')
    text = transfer_markdown(result)
    assert '| sgnas (SearchedMobileNet) | 30.00 | 0.500 | 99.50 ± 0.50 | 0.620 ± 0.020 |' in text
    assert 'FLOPs of mobilenetv2 / sgnas: 0.950.' in text
    assert 'bbox mAP sgnas - mobilenetv2: +0.020, not larger than the larger seed std (0.020).' \
        in text
    assert 'FLOPs of wide / sgnas: 1.200 (**not matched within 10 %**).' in text
    assert 'bbox mAP sgnas - wide: +0.210, larger than the larger seed std (0.020).' in text
    assert text.rstrip().endswith('Reproduce: `python x`')


def test_one_seed_is_not_judged():
    result = dict(seeds=[0], shape=[128, 128], rows=[
        row('sgnas', 'SearchedMobileNet', 30.0, [0.6], top1=[99.0]),
        row('mobilenetv2', 'MobileNetV2', 30.0, [0.5], top1=[99.0])], command='c')
    assert 'bbox mAP sgnas - mobilenetv2: +0.100, one seed: no spread to judge it against.' \
        in transfer_markdown(result)
