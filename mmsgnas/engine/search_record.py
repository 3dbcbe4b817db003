"""What a search loop keeps: evaluated candidates, its resumable state, and its output files."""
import csv
import json
import os
import random
from dataclasses import dataclass, field
from io import StringIO
from typing import Any, Dict, List, Optional, Sequence

from ..space import SearchSpace, save_subnet
from ..utils import write_text_atomic

STATE_FILE = 'search_state.json'
CANDIDATES_FILE = 'candidates.csv'
BEST_FILE = 'best_subnet.yaml'


@dataclass
class Candidate:
    """One evaluated architecture: cost in the cost table's unit (MFLOPs), params in M, score
    (top-1 % by default), and loop-specific extras (e.g. the WeakNAS round it came from)."""
    arch: Any
    flops: float
    params: float
    accuracy: float
    extra: Dict[str, Any] = field(default_factory=dict)

    def to_json(self, space: SearchSpace) -> dict:
        return dict(arch=space.to_text(self.arch), flops=self.flops, params=self.params,
                    accuracy=self.accuracy, extra=self.extra)

    @classmethod
    def from_json(cls, data: dict, space: SearchSpace) -> 'Candidate':
        return cls(space.from_text(data['arch'], 'search state'), float(data['flops']),
                   float(data['params']), float(data['accuracy']), dict(data.get('extra', {})))


def ranked(candidates: Sequence[Candidate]) -> List[Candidate]:
    """Best first: higher score, then lower cost, then evaluated earlier."""
    order = sorted(range(len(candidates)),
                   key=lambda i: (-candidates[i].accuracy, candidates[i].flops, i))
    return [candidates[i] for i in order]


def rng_state_to_json(rng: random.Random) -> list:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def rng_from_json(state: list) -> random.Random:
    rng = random.Random()
    rng.setstate((state[0], tuple(state[1]), state[2]))
    return rng


def save_state(out_dir: str, state: Dict[str, Any]) -> None:
    """Write the loop's state as JSON (plain data: safe to load, readable), atomically."""
    write_text_atomic(os.path.join(out_dir, STATE_FILE), json.dumps(state))


def load_state(out_dir: str, settings: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The saved state of ``out_dir`` (None when there is none). A state saved with other
    settings (method, budget, seed, space, evaluator: supernet weights and data) is refused,
    naming the settings that differ."""
    path = os.path.join(out_dir, STATE_FILE)
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            state = json.load(f)
    except json.JSONDecodeError as err:
        raise ValueError(f'{path}: not a search state file ({err})') from err
    # through JSON, as the saved settings went (tuples become lists)
    saved = flatten(state.get('settings', {}))
    settings = flatten(json.loads(json.dumps(settings)))
    differ = {k: (saved.get(k), v) for k, v in settings.items() if saved.get(k) != v}
    if differ:
        detail = ', '.join(f'{k}: saved {a!r}, now {b!r}' for k, (a, b) in differ.items())
        raise ValueError(f'{path}: cannot resume, the search settings changed ({detail}); use '
                         'another work dir or start without --resume')
    return state


def flatten(settings: Dict[str, Any], prefix: str = '') -> Dict[str, Any]:
    """Nested settings as one level of dotted keys ('evaluator.supernet'), so that a refusal names
    exactly what changed."""
    out: Dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict) and value:
            out.update(flatten(value, f'{prefix}{key}.'))
        else:
            out[f'{prefix}{key}'] = value
    return out


def write_candidates(out_dir: str, candidates: Sequence[Candidate], space: SearchSpace) -> None:
    """candidates.csv: every evaluated candidate in evaluation order (extras as columns)."""
    extra_fields = sorted({k for c in candidates for k in c.extra})
    rows = [dict(index=i, flops=round(c.flops, 4), params=round(c.params, 4),
                 accuracy=round(c.accuracy, 3), **{k: c.extra.get(k) for k in extra_fields},
                 arch=space.to_text(c.arch))
            for i, c in enumerate(candidates)]
    fields = ['index', 'flops', 'params', 'accuracy', *extra_fields, 'arch']
    text = StringIO()
    writer = csv.DictWriter(text, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(os.path.join(out_dir, CANDIDATES_FILE), text.getvalue())


def write_best(out_dir: str, best: Candidate, metadata: Dict[str, Any],
               space: SearchSpace) -> str:
    """best_subnet.yaml with FLOPs, params and score in its metadata; returns its path."""
    path = os.path.join(out_dir, BEST_FILE)
    save_subnet(path, best.arch, dict(flops=round(best.flops, 4), params=round(best.params, 4),
                                      accuracy=round(best.accuracy, 3), **metadata), space)
    return path
