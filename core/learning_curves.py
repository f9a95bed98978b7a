"""Learning curves after Ng & Jordan (2002), "On discriminative vs. generative classifiers".

Test error against training-set size m, averaged over many random training sets per size. The
paper's finding: naive Bayes approaches its (higher) asymptotic error with fewer examples, logistic
regression reaches a lower asymptote, so the curves cross. With two features there is little for
either to learn; the paper's datasets have dozens of features, so irrelevant N(0, 1) features can be
appended (the same ones for both models) to see the effect of dimension.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import sklearn

from core.classifiers import Hyperparameters, ModelError, classes_of, fit, proba
from core.memo import Memo

Draw = Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class CurveSettings:
    """Sizes (log-spaced from m_min to m_max), draws per size, test-set size, extra features, seed."""

    n_sizes: int = 10
    draws: int = 20
    m_min: int = 8
    m_max: int = 600
    n_test: int = 2000
    extra_features: int = 0
    seed: int = 0


def sizes(settings: CurveSettings) -> np.ndarray:
    """``n_sizes`` distinct training-set sizes, roughly log-spaced between m_min and m_max."""
    m = np.unique(np.round(np.geomspace(settings.m_min, settings.m_max, settings.n_sizes)).astype(int))
    while len(m) < settings.n_sizes and m[-1] - m[0] + 1 >= settings.n_sizes:  # fill gaps left by rounding
        gaps = np.setdiff1d(np.arange(m[0], m[-1] + 1), m)
        m = np.sort(np.append(m, gaps[len(gaps) // 2]))
    return m


@dataclass(frozen=True)
class CurveResult:
    """errors[name] has shape (n_sizes, draws): test error of each draw, NaN where the fit failed."""

    sizes: np.ndarray
    errors: dict[str, np.ndarray]

    def summary(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per model: mean and standard deviation of the test error over the draws that could be fitted."""
        out = {}
        for name, err in self.errors.items():
            ok = np.isfinite(err)
            n = ok.sum(axis=1)
            filled = np.where(ok, err, 0.0)
            mean = np.where(n > 0, filled.sum(axis=1) / np.maximum(n, 1), np.nan)
            var = np.where(n > 0, (np.where(ok, err - mean[:, None], 0.0) ** 2).sum(axis=1) / np.maximum(n, 1), np.nan)
            out[name] = (mean, np.sqrt(var))
        return out

    def failed(self) -> dict[str, int]:
        """Per model: how many (size, draw) fits were impossible (e.g. QDA with too few points)."""
        return {name: int((~np.isfinite(err)).sum()) for name, err in self.errors.items()}

    def failure_notes(self) -> list[str]:
        """One sentence per model with impossible fits, saying how many were left out of its curve."""
        return [f"{name}: {n} of {self.errors[name].size} fits were impossible (too few points) and are left out."
                for name, n in self.failed().items() if n]


def with_noise_features(draw: Draw, extra: int) -> Draw:
    """``draw`` with ``extra`` irrelevant N(0, 1) features appended to every point."""
    if extra <= 0:
        return draw

    def widened(m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        X, y = draw(m, rng)
        return np.hstack([X, rng.standard_normal((len(X), extra))]), y
    return widened


def pool_draw(X: np.ndarray, y: np.ndarray) -> Draw:
    """Draw m points without replacement from a fixed pool (your own data), one of each class first."""
    def draw(m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        first = np.array([rng.choice(np.flatnonzero(y == c)) for c in np.unique(y)])
        rest = rng.permutation(np.setdiff1d(np.arange(len(y)), first))[: max(m - len(first), 0)]
        idx = np.concatenate([first, rest])
        return X[idx], y[idx]
    return draw


def error_rate(model: object, X: np.ndarray, y: np.ndarray) -> float:
    """Share of test points whose most probable class is wrong."""
    return float(np.mean(classes_of(model)[np.argmax(proba(model, X), axis=1)] != y))


def learning_curves(draw: Draw, models: Sequence[str], settings: CurveSettings = CurveSettings(),
                    hp: Hyperparameters | None = None, test: tuple[np.ndarray, np.ndarray] | None = None,
                    progress: Callable[[float], None] | None = None) -> CurveResult:
    """Test error for every model, size and draw; every model sees the same training sets.

    ``test`` is a held-out set; without it ``n_test`` fresh points come from ``draw``.
    """
    draw = with_noise_features(draw, settings.extra_features)
    X_test, y_test = test if test is not None else draw(settings.n_test, np.random.default_rng([settings.seed, 1]))
    if test is not None and settings.extra_features:
        X_test = np.hstack([X_test, np.random.default_rng([settings.seed, 1]).standard_normal(
            (len(X_test), settings.extra_features))])
    m_values = sizes(settings)
    errors = {name: np.full((len(m_values), settings.draws), np.nan) for name in models}
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        _fill(errors, draw, m_values, models, settings, hp or Hyperparameters(), X_test, y_test, progress)
    return CurveResult(m_values, errors)


def _fill(errors: dict[str, np.ndarray], draw: Draw, m_values: np.ndarray, models: Sequence[str],
          settings: CurveSettings, hp: Hyperparameters, X_test: np.ndarray, y_test: np.ndarray,
          progress: Callable[[float], None] | None) -> None:
    total = len(m_values) * settings.draws
    for i, m in enumerate(m_values):
        for j in range(settings.draws):
            X, y = draw(int(m), np.random.default_rng([settings.seed, 2, i, j]))
            for name in models:
                try:
                    errors[name][i, j] = error_rate(fit(name, X, y, hp, settings.seed), X_test, y_test)
                except ModelError:
                    pass
            if progress is not None:
                progress((i * settings.draws + j + 1) / total)


_CURVES = Memo(16)


def cached(key: Hashable, compute: Callable[[], CurveResult]) -> CurveResult:
    """``compute()`` remembered under ``key`` (the caller's settings); a small LRU shared by sessions."""
    return _CURVES(key, compute)


def is_cached(key: Hashable) -> bool:
    """Whether ``key`` has a stored result (the page then shows it without a button press)."""
    return key in _CURVES
