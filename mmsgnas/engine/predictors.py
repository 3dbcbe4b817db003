"""Accuracy predictors of WeakNAS (:class:`~mmsgnas.engine.weaknas.WeakNASSearchLoop`): regressors
from an architecture's features (the space's flattened one-hot encoding) to its score.

Each is a thin wrapper around a library model (a torch MLP, scikit-learn's gradient-boosted trees
or random forest) with one interface: ``fit(features, scores)`` then ``predict(features)``. The
scores are standardised before fitting (WeakNAS's MLP needs it; trees are indifferent to it), and
every predictor takes a ``seed`` so that a search refits exactly the same predictor after a resume.

The predictors live in their own registry, :data:`ACCURACY_PREDICTORS`, so a loop config names one
by a short type (``predictor=dict(type='gbdt', n_estimators=200)``) and a user can register another
library model (e.g. XGBoost) from his own module without editing mmsgnas.
"""
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, Optional, Sequence

import numpy as np
import torch
from mmengine.registry import Registry

#: the accuracy predictors a WeakNAS config can name (``'mlp'``, ``'gbdt'``, ``'random_forest'``)
ACCURACY_PREDICTORS = Registry('accuracy predictor', scope='mmsgnas',
                               locations=['mmsgnas.engine.predictors'])


class AccuracyPredictor(metaclass=ABCMeta):
    """Base class: regression from features [N, F] to scores [N] (any unit, e.g. top-1 %).

    Args:
        seed: seed of all the predictor's randomness (initialisation, shuffling, subsampling).
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = int(seed)
        self._mean = 0.0
        self._std = 1.0

    def fit(self, features: np.ndarray, scores: np.ndarray) -> 'AccuracyPredictor':
        """Fit to ``features`` [N, F] and ``scores`` [N] (N >= 2); returns self."""
        features = np.asarray(features, dtype=np.float32)
        scores = np.asarray(scores, dtype=np.float64)
        if features.ndim != 2 or scores.shape != (features.shape[0],):
            raise ValueError(f'{type(self).__name__}: expected features [N, F] and scores [N], got '
                             f'{list(features.shape)} and {list(scores.shape)}')
        if features.shape[0] < 2:
            raise ValueError(f'{type(self).__name__}: at least 2 scored architectures are needed '
                             f'to fit a predictor, got {features.shape[0]}')
        if not np.all(np.isfinite(scores)):
            raise ValueError(f'{type(self).__name__}: the scores hold NaN or infinite values')
        self._mean = float(scores.mean())
        std = float(scores.std())
        self._std = std if std > 0 else 1.0
        self._fit(features, ((scores - self._mean) / self._std).astype(np.float32))
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Predicted scores [N] (float64, in the unit of the fitted scores)."""
        features = np.asarray(features, dtype=np.float32)
        return self._predict(features).astype(np.float64) * self._std + self._mean

    @abstractmethod
    def _fit(self, features: np.ndarray, targets: np.ndarray) -> None:
        """Fit standardised ``targets``."""

    @abstractmethod
    def _predict(self, features: np.ndarray) -> np.ndarray:
        """Standardised predictions."""


@ACCURACY_PREDICTORS.register_module(name='mlp')
class MLPPredictor(AccuracyPredictor):
    """A ReLU multi-layer perceptron in torch, trained with Adam on the mean squared error.

    The WeakNAS paper's NAS-Bench-201 predictor has 4 hidden layers of 1,000 units trained for 100
    epochs (``hidden=(1000,) * 4``); the default here is smaller, (256, 256), so that 100 runs of
    100 rounds stay affordable on a CPU.

    Args:
        hidden: widths of the hidden layers.
        epochs: passes over the training set.
        batch_size: mini-batch size (None: the whole set in one batch).
        lr: Adam learning rate.
        weight_decay: Adam weight decay (L2).
        device: where the network runs (None: torch's current default device).
        seed: seeds the initial weights and the shuffling; the global torch RNG is left as it was.
    """

    def __init__(self, hidden: Sequence[int] = (256, 256), epochs: int = 200,
                 batch_size: Optional[int] = None, lr: float = 1e-3,
                 weight_decay: float = 0.0, device: Optional[str] = None, seed: int = 0) -> None:
        super().__init__(seed)
        hidden = tuple(int(h) for h in hidden)
        if any(h < 1 for h in hidden) or epochs < 1 or (batch_size is not None and batch_size < 1):
            raise ValueError(f'MLPPredictor: hidden widths, epochs and batch_size must be >= 1, '
                             f'got hidden={hidden}, epochs={epochs}, batch_size={batch_size}')
        self.hidden, self.epochs, self.batch_size = hidden, int(epochs), batch_size
        self.lr, self.weight_decay = float(lr), float(weight_decay)
        self.device = torch.device(device) if device is not None else torch.get_default_device()
        self.net: Optional[torch.nn.Module] = None

    def _build(self, in_features: int) -> torch.nn.Module:
        layers = []
        width = in_features
        for h in self.hidden:
            layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
            width = h
        layers.append(torch.nn.Linear(width, 1))
        return torch.nn.Sequential(*layers).to(self.device)

    def _fit(self, features: np.ndarray, targets: np.ndarray) -> None:
        x = torch.from_numpy(features).to(self.device)
        y = torch.from_numpy(targets).to(self.device)
        # a private RNG state: the same seed gives the same weights whatever ran before
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            self.net = self._build(x.shape[1])
        generator = torch.Generator().manual_seed(self.seed)
        optimizer = torch.optim.Adam(self.net.parameters(), lr=self.lr,
                                     weight_decay=self.weight_decay)
        batch = self.batch_size or len(x)
        self.net.train()
        for _ in range(self.epochs):
            order = torch.randperm(len(x), generator=generator).to(self.device)
            for start in range(0, len(x), batch):
                index = order[start:start + batch]
                loss = torch.nn.functional.mse_loss(self.net(x[index]).squeeze(1), y[index])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        self.net.eval()

    @torch.no_grad()
    def _predict(self, features: np.ndarray) -> np.ndarray:
        if self.net is None:
            raise RuntimeError('MLPPredictor: predict() before fit()')
        x = torch.from_numpy(features).to(self.device)
        return self.net(x).squeeze(1).cpu().numpy()


class _SklearnPredictor(AccuracyPredictor):
    """A scikit-learn regressor, built with ``random_state=seed`` and the given keyword
    arguments."""

    def __init__(self, seed: int = 0, **kwargs) -> None:
        super().__init__(seed)
        self.kwargs: Dict[str, Any] = dict(kwargs)
        if 'random_state' in self.kwargs:
            raise ValueError(f'{type(self).__name__}: set the seed with seed=, not random_state= '
                             '(the search loop seeds each round)')
        self.model = self._make(**self.kwargs)

    def _make(self, **kwargs):
        raise NotImplementedError

    def _fit(self, features: np.ndarray, targets: np.ndarray) -> None:
        self.model.fit(features, targets)

    def _predict(self, features: np.ndarray) -> np.ndarray:
        return self.model.predict(features)


@ACCURACY_PREDICTORS.register_module(name='gbdt')
class GBDTPredictor(_SklearnPredictor):
    """Gradient-boosted regression trees (``sklearn.ensemble.GradientBoostingRegressor``; the
    paper's XGBoost plays this part). Keyword arguments go to scikit-learn (default here: 100
    trees of depth 3, learning rate 0.1, as scikit-learn's defaults)."""

    def _make(self, **kwargs):
        from sklearn.ensemble import GradientBoostingRegressor
        return GradientBoostingRegressor(random_state=self.seed, **kwargs)


@ACCURACY_PREDICTORS.register_module(name='random_forest')
class RandomForestPredictor(_SklearnPredictor):
    """A random forest (``sklearn.ensemble.RandomForestRegressor``). Keyword arguments go to
    scikit-learn; the default here is 100 trees of depth at most 10 (the WeakNAS code's depth) on
    one process (``n_jobs=1``, so that results do not depend on the machine)."""

    def _make(self, n_estimators: int = 100, max_depth: Optional[int] = 10, n_jobs: int = 1,
              **kwargs):
        from sklearn.ensemble import RandomForestRegressor
        return RandomForestRegressor(n_estimators=n_estimators, max_depth=max_depth,
                                     n_jobs=n_jobs, random_state=self.seed, **kwargs)


def build_predictor(cfg: Dict[str, Any], seed: int) -> AccuracyPredictor:
    """The predictor of ``cfg`` (``dict(type='mlp'|'gbdt'|'random_forest'|<registered>, ...)``)
    seeded with ``seed``. Raises ``KeyError`` naming the known types for an unknown one."""
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise ValueError(f"predictor must be a dict with a 'type' ({', '.join(known_types())}), "
                         f'got {cfg!r}')
    cfg = dict(cfg)
    if 'seed' in cfg:
        raise ValueError('predictor: do not set its seed in the config; the loop derives one per '
                         'round from its own seed')
    kind = cfg['type']
    if isinstance(kind, str) and ACCURACY_PREDICTORS.get(kind) is None:
        raise KeyError(f'unknown predictor type {kind!r}; known: {", ".join(known_types())}')
    return ACCURACY_PREDICTORS.build(dict(cfg, seed=int(seed)))


def known_types() -> list:
    """Names of the registered predictors."""
    return sorted(ACCURACY_PREDICTORS.module_dict)
