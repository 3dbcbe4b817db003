"""The NAS-Benchmark protocol on a finished comparison: trained from scratch, does a method's choice
beat the average random architecture of its budget?

At one budget of a ``compare.json`` (:class:`~.comparison.SearchComparison`'s output), the first N
architectures of the random cloud and every method's choice (one per seed) are each trained from
scratch with one identical short recipe (``tools/train.py`` then ``tools/test.py`` on a retrain
config, the same training seed for all), and scored on that config's test split. Reported:

* each method's relative improvement RI = 100 (acc - random mean) / random mean per seed, with
  its mean, std and 95 % interval over seeds;
* Kendall tau (and Spearman) between the comparison's one-shot scores (the supernet judge) and the
  from-scratch scores of the same networks: how far the one-shot ranking can be trusted;
* the recipe's own noise: the first random architecture trained again under other seeds (trained
  first: a noise larger than the spread between networks makes the rest pointless).

Every training is a resumable step (:func:`~mmsgnas.utils.tool_runs.train_and_test`): a rerun of
the same command skips finished networks. A network two methods both chose is trained once.
"""
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from ...space.base import SearchSpace
from ...space.subnet_file import save_subnet, space_from_settings
from ...utils.fileio import write_text_atomic
from ...utils.tool_runs import train_and_test
from .comparison import kendall_spearman, mean_std_ci, relative_improvement


def short_recipe_options(epochs: int, images: Optional[int] = None) -> Dict[str, object]:
    """``--cfg-options`` that shorten a retrain config with a warm-up epoch then cosine decay
    (``param_scheduler`` = [LinearLR, CosineAnnealingLR], as ``configs/fmnist/retrain_fmnist.py``)
    to ``epochs`` epochs on the first ``images`` training images (None: all of them)."""
    if epochs < 2:
        raise ValueError(f'epochs must be at least 2 (one warm-up epoch, then cosine), got '
                         f'{epochs}')
    options: Dict[str, object] = {
        'train_cfg.max_epochs': epochs, 'train_cfg.val_interval': epochs,
        'param_scheduler.1.T_max': epochs - 1, 'param_scheduler.1.end': epochs,
        'default_hooks.checkpoint.interval': epochs}
    if images is not None:
        options['train_dataloader.dataset.indices'] = int(images)
    return options


@dataclass
class ScratchSettings:
    """What to retrain and how.

    Args:
        comparison: a ``compare.json``.
        config: the retrain config (its ``model.backbone.subnet`` is set per network).
        budget: the row of the comparison (0-based index into its budgets).
        num_random: the first N architectures of the row's random cloud.
        epochs, images: the short recipe (:func:`short_recipe_options`).
        seed: the training seed of every network.
        noise_seeds: further seeds for the first random architecture (the recipe's noise).
        judge: the one-shot judge whose scores are ranked against from-scratch (default: the
            comparison's first judge).
        methods: the methods to retrain (default: all of the row).
        out_dir: one folder per network (``net_<hash>/``), then ``scratch.json`` and
            ``scratch.md``.
        metric: the key of ``tools/test.py``'s metrics to read (%).
    """
    comparison: str
    config: str
    budget: int
    out_dir: str
    num_random: int = 8
    epochs: int = 10
    images: Optional[int] = None
    seed: int = 0
    noise_seeds: Sequence[int] = field(default_factory=tuple)
    judge: Optional[str] = None
    methods: Optional[Sequence[str]] = None
    metric: str = 'accuracy/top1'


def train_subnet(config: str, folder: str, run: str, arch: Any, space: SearchSpace, name: str,
                 source: str, options: Dict[str, object], seed: int,
                 metric: str = 'accuracy/top1') -> float:
    """Train one architecture from scratch and return its test score (%): ``folder/subnet.yaml``
    (written once, ``source`` as its metadata), then a resumable ``train_and_test`` step in
    ``folder/run`` with ``options``, the subnet and ``seed``. ``name`` names the network in the
    progress line and in the error a failed training raises (with its log's tail)."""
    subnet = os.path.join(folder, 'subnet.yaml')
    if not os.path.isfile(subnet):
        save_subnet(subnet, arch, {'source': source}, space)
    record = train_and_test(config, os.path.join(folder, run),
                            dict(options, **{'model.backbone.subnet': subnet,
                                             'randomness.seed': seed}))
    if record['status'] != 'done':
        raise RuntimeError(f'from-scratch training of {name} failed; see '
                           f'{record["log"]}:\n{record.get("error", "")}')
    if metric not in record['metrics']:
        raise KeyError(f'{record["log"]}: tools/test.py gave no {metric!r} (got '
                       f'{sorted(record["metrics"])})')
    score = float(record['metrics'][metric])
    print(f'{name}, training seed {seed}: top-1 {score:.2f}'
          + (' (done before)' if record.get('skipped') else f' ({record["seconds"]:.0f} s)'),
          flush=True)
    return score


def network_key(text: str) -> str:
    """A short stable folder name for an architecture's text form."""
    return 'net_' + hashlib.sha1(text.encode()).hexdigest()[:10]


def select_networks(result: dict, settings: ScratchSettings) -> dict:
    """The row's networks to retrain: ``random`` (list of cloud entries) and ``methods`` (name ->
    list of per-seed entries), each entry with ``arch`` (text), ``flops`` and the one-shot
    ``score``."""
    rows = result['rows']
    if not 0 <= settings.budget < len(rows):
        raise ValueError(f'{settings.comparison}: budget index {settings.budget} out of range '
                         f'(the comparison has {len(rows)} budgets: 0..{len(rows) - 1})')
    judges = list(result.get('judge_images', {}))
    judge = settings.judge or (judges[0] if judges else None)
    row = rows[settings.budget]
    cloud = row['cloud']['archs']
    if judge is None or (cloud and judge not in cloud[0]):
        raise ValueError(f'{settings.comparison}: no judge {judge!r} in the comparison '
                         f'(judges: {judges})')
    if len(cloud) < settings.num_random:
        raise ValueError(f'{settings.comparison}: the random cloud at budget {settings.budget} has '
                         f'{len(cloud)} architectures, {settings.num_random} asked for')
    if settings.num_random < 2:
        raise ValueError('num_random must be at least 2 (the random mean and its spread)')
    names = list(row['methods']) if settings.methods is None else list(settings.methods)
    missing = [n for n in names if n not in row['methods']]
    if missing:
        raise ValueError(f'{settings.comparison}: no method {missing} at budget {settings.budget} '
                         f'(methods: {list(row["methods"])})')

    def entry(item: dict, **extra) -> dict:
        return dict(arch=item['arch'], flops=item['flops'], score=item[judge], **extra)

    return dict(judge=judge, budget_value=row['budget'],
                random=[entry(a, index=i) for i, a in enumerate(cloud[:settings.num_random])],
                methods={n: [entry(e, seed=e['seed']) for e in row['methods'][n]] for n in names})


def summarise(selected: dict, scratch: Dict[str, float], noise: List[float]) -> dict:
    """RI per method and seed against the random mean, and one-shot vs from-scratch ranks.

    Args:
        selected: :func:`select_networks`'s output.
        scratch: from-scratch score (%) by architecture text.
        noise: the first random architecture's scores under the recipe's seeds.
    """
    random_scores = [scratch[e['arch']] for e in selected['random']]
    base = mean_std_ci(random_scores)
    methods = {}
    for name, entries in selected['methods'].items():
        values = [scratch[e['arch']] for e in entries]
        ri = [relative_improvement(v, base['mean']) for v in values]
        methods[name] = dict(top1=mean_std_ci(values), ri=mean_std_ci(ri), seeds=[
            dict(seed=e['seed'], arch=e['arch'], flops=e['flops'], one_shot=e['score'],
                 scratch=v, ri=r, rank=1 + sum(s > v for s in random_scores))
            for e, v, r in zip(entries, values, ri)])
    distinct = {}
    for e in selected['random'] + [e for es in selected['methods'].values() for e in es]:
        distinct[e['arch']] = e
    one_shot = [e['score'] for e in distinct.values()]
    from_scratch = [scratch[a] for a in distinct]
    flops = [e['flops'] for e in distinct.values()]
    return dict(
        budget=selected['budget_value'], judge=selected['judge'],
        random=dict(summary=base, archs=[dict(e, scratch=scratch[e['arch']])
                                         for e in selected['random']]),
        methods=methods,
        one_shot_vs_scratch=kendall_spearman(one_shot, from_scratch),
        flops_vs_scratch=kendall_spearman(flops, from_scratch),
        recipe_noise=dict(values=noise, range=max(noise) - min(noise) if noise else None))


def markdown(summary: dict, settings: ScratchSettings) -> str:
    def fmt(cell: dict) -> str:
        ci = cell.get('ci')
        return f'{cell["mean"]:+.2f} ± {cell["std"]:.2f}' + (
            f' [{ci[0]:+.2f}, {ci[1]:+.2f}]' if ci else '')

    base = summary['random']['summary']
    recipe = f'{settings.epochs} epochs' + ('' if settings.images is None else
                                            f' on the first {settings.images} training images')
    lines = [f'# From scratch at {summary["budget"]:.3f} MFLOPs', '',
             f'`{settings.config}`, {recipe}, training seed {settings.seed}; test top-1 (%) from '
             f'`tools/test.py`. One-shot scores: judge `{summary["judge"]}` of '
             f'`{settings.comparison}`.', '',
             f'Random architectures ({len(summary["random"]["archs"])}): top-1 '
             f'{base["mean"]:.2f} ± {base["std"]:.2f} '
             f'({min(base["values"]):.2f}..{max(base["values"]):.2f})', '',
             '| method | top-1 per seed | RI per seed (%) | RI mean ± std [95 % CI] '
             '| rank among random |',
             '|---|---|---|---|---|']
    for name, cell in summary['methods'].items():
        seeds = cell['seeds']
        lines.append(f'| {name} | ' + ', '.join(f'{s["scratch"]:.2f}' for s in seeds) + ' | ' +
                     ', '.join(f'{s["ri"]:+.2f}' for s in seeds) + f' | {fmt(cell["ri"])} | ' +
                     ', '.join(str(s['rank']) for s in seeds) + ' |')
    tau, flops_tau = summary['one_shot_vs_scratch'], summary['flops_vs_scratch']

    def corr(c: dict) -> str:
        return 'undefined (a constant list)' if c['kendall'] is None else \
            f'Kendall tau {c["kendall"]:+.3f}, Spearman {c["spearman"]:+.3f} ({c["n"]} networks)'

    lines += ['', f'One-shot against from scratch: {corr(tau)}.',
              f'MFLOPs alone against from scratch: {corr(flops_tau)}.']
    noise = summary['recipe_noise']
    if len(noise['values']) > 1:
        lines.append(f'Recipe noise: the first random architecture under seeds '
                     f'{[settings.seed, *settings.noise_seeds]}: '
                     + ', '.join(f'{v:.2f}' for v in noise['values'])
                     + f' (range {noise["range"]:.2f} points; the random architectures\' std: '
                       f'{base["std"]:.2f}).')
    return '\n'.join(lines) + '\n'


def run_scratch_protocol(settings: ScratchSettings) -> dict:
    """Retrain the selected networks (resuming) and write ``scratch.json`` and ``scratch.md`` to
    ``settings.out_dir``. Returns the summary (:func:`summarise`)."""
    if not os.path.isfile(settings.comparison):
        raise FileNotFoundError(f'{settings.comparison}: no such comparison result (run '
                                'tools/analysis/compare_search.py first)')
    with open(settings.comparison) as f:
        result = json.load(f)
    selected = select_networks(result, settings)
    space = space_from_settings(result['space'], settings.comparison)
    options = short_recipe_options(settings.epochs, settings.images)

    def train(text: str, seed: int, name: str) -> float:
        return train_subnet(settings.config, os.path.join(settings.out_dir, network_key(text)),
                            f'seed{seed}', space.from_text(text, name), space, name,
                            f'{name} ({settings.comparison})', options, seed, settings.metric)

    # The recipe's noise first: when it is larger than the spread between networks, the rest of
    # the run cannot rank them, and the first minutes say so.
    first = selected['random'][0]['arch']
    noise = [train(first, s, 'random architecture 0') for s in [settings.seed,
                                                                *settings.noise_seeds]]
    scratch: Dict[str, float] = {first: noise[0]}
    for entry in selected['random']:
        if entry['arch'] not in scratch:
            scratch[entry['arch']] = train(entry['arch'], settings.seed,
                                           f'random architecture {entry["index"]}')
    for name, entries in selected['methods'].items():
        for entry in entries:
            if entry['arch'] not in scratch:
                scratch[entry['arch']] = train(entry['arch'], settings.seed,
                                               f'{name}, search seed {entry["seed"]}')
    summary = summarise(selected, scratch, noise)
    summary['settings'] = dict(vars(settings), noise_seeds=list(settings.noise_seeds),
                               methods=None if settings.methods is None else
                               list(settings.methods), options=options)
    os.makedirs(settings.out_dir, exist_ok=True)
    write_text_atomic(os.path.join(settings.out_dir, 'scratch.json'),
                      json.dumps(summary, indent=1))
    write_text_atomic(os.path.join(settings.out_dir, 'scratch.md'), markdown(summary, settings))
    return summary
