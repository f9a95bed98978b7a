"""Learning curves after Ng & Jordan (2002), "On discriminative vs. generative classifiers".

Test error against training-set size m, averaged over many random training sets per size. The
paper's finding: naive Bayes approaches its (higher) asymptotic error with fewer examples, logistic
regression reaches a lower asymptote, so the curves cross. With two features there is little for
either to learn; the paper's datasets have dozens of features, so irrelevant N(0, 1) features can be
appended (the same ones for both models) to see the effect of dimension.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import sklearn

from core.boundary.data import DataSettings, generator_for
from core.boundary.models import Hyperparameters, ModelError, classes_of, fit, params_of, proba
from core.memo import Memo, fingerprint

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
    """errors[name] has shape (n_sizes, draws): test error of each draw, NaN where the fit failed.

    ``computed[name]`` (same shape) marks the fits done so far in a run still going (None: all of them);
    a NaN that is not computed yet is not a failed fit.
    """

    sizes: np.ndarray
    errors: dict[str, np.ndarray]
    computed: dict[str, np.ndarray] | None = None

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
        done = self.computed or {}
        return {name: int((~np.isfinite(err) & done.get(name, True)).sum()) for name, err in self.errors.items()}

    def failure_notes(self) -> list[str]:
        """One sentence per model with impossible fits, saying how many were left out of its curve."""
        done = self.computed or {}
        return [f"{name}: {n} of {int(np.sum(done.get(name, np.ones_like(self.errors[name], bool))))} fits were "
                "impossible (too few points) and are left out." for name, n in self.failed().items() if n]


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


# --------------------------------------------------------------------------------------------------
# The same computation in pieces, for a training worker: one model × one size × one draw per step
# --------------------------------------------------------------------------------------------------
MAX_M = 600
"""The largest training-set size (on the generator, and on your own data however many points it has)."""
BUDGET_S = 30.0
"""CPU seconds of fitting one click may cost a worker; a larger run is cut down to fit (see ``plan_run``)."""
CAP_FACTOR = 1.5
"""A run stops when its fitting has cost this many budgets (the estimate is rough), keeping what it has."""
MIN_DRAWS, MIN_TEST, MIN_SIZES = 5, 500, 5
"""How far ``plan_run`` cuts down the draws per size, the test set and the number of sizes."""


@dataclass(frozen=True, eq=False)
class CurvesJob:
    """Plain settings from which a worker rebuilds a learning-curve run: the models and their settings, the
    curve settings and the data: a built-in ``generator`` (fresh points per draw), or your own ``pool`` of
    training points (subsampled per draw) with its held-out ``test`` points. ``budget_s`` None: no budget."""

    models: tuple[str, ...]
    hp: Hyperparameters = Hyperparameters()
    settings: CurveSettings = CurveSettings()
    generator: DataSettings | None = None
    pool: tuple[np.ndarray, np.ndarray] | None = None
    test: tuple[np.ndarray, np.ndarray] | None = None
    budget_s: float | None = BUDGET_S

    def draw(self) -> Draw:
        """``draw(m, rng) -> (X, y)`` with the extra noise features appended."""
        base = pool_draw(*self.pool) if self.pool is not None else generator_for(self.generator or DataSettings())
        return with_noise_features(base, self.settings.extra_features)

    def key(self) -> tuple:
        """What the result depends on, hashable (arrays by a hash of their bytes): the cache key."""
        g = self.generator or DataSettings()
        source: tuple = (g.dataset, g.noise, g.balance, g.correlation)
        if self.pool is not None:
            source = ("own data", fingerprint(self.pool, self.test))
        return (source, self.models, tuple(params_of(m, self.hp) for m in self.models), self.settings, self.budget_s)


def test_set(job: CurvesJob, settings: CurveSettings) -> tuple[np.ndarray, np.ndarray]:
    """The test set of a run: ``n_test`` fresh points (rng [seed, 1]), or your held-out points (a seeded subsample
    when ``n_test`` is smaller), with the same extra features as ``learning_curves`` gives them."""
    if job.test is None:
        return job.draw()(settings.n_test, np.random.default_rng([settings.seed, 1]))
    X, y = job.test
    if settings.n_test < len(y):
        keep = np.sort(np.random.default_rng([settings.seed, 3]).permutation(len(y))[: settings.n_test])
        X, y = X[keep], y[keep]
    if settings.extra_features:
        X = np.hstack([X, np.random.default_rng([settings.seed, 1]).standard_normal((len(X), settings.extra_features))])
    return X, y


def training_set(draw: Draw, m: int, settings: CurveSettings, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw j at size index i: always from ``default_rng([seed, 2, i, j])``, whatever order pieces run in."""
    return draw(m, np.random.default_rng([settings.seed, 2, i, j]))


@dataclass(frozen=True)
class PieceCost:
    """One model's measured CPU seconds to fit at the smallest and the largest size, and to test on ``n_test``
    points there; other sizes by linear interpolation in m, other test sizes in proportion."""

    m: tuple[int, int]
    fit_s: tuple[float, float]
    test_s: tuple[float, float]
    n_test: int

    def __call__(self, m: int, n_test: int) -> float:
        t = 0.0 if self.m[1] == self.m[0] else (m - self.m[0]) / (self.m[1] - self.m[0])
        fit_s = self.fit_s[0] + t * (self.fit_s[1] - self.fit_s[0])
        test_s = self.test_s[0] + t * (self.test_s[1] - self.test_s[0])
        return max(fit_s, 0.0) + max(test_s, 0.0) * n_test / max(self.n_test, 1)


Cost = Mapping[str, Callable[[int, int], float]]
"""Per model: ``cost[name](m, n_test)``, CPU seconds of one piece (a ``PieceCost``, or a table in tests)."""


def estimate_s(settings: CurveSettings, models: Sequence[str], cost: Cost) -> float:
    """CPU seconds of a whole run: draws × Σ over models and sizes of one piece's cost."""
    return settings.draws * sum(cost[name](int(m), settings.n_test) for name in models for m in sizes(settings))


@dataclass(frozen=True)
class Plan:
    """What runs (``settings``) for what was asked (``requested``), with the estimates and what was cut."""

    requested: CurveSettings
    settings: CurveSettings
    models: tuple[str, ...]
    requested_s: float
    estimate_s: float
    budget_s: float
    reductions: tuple[str, ...] = ()
    leave_out: tuple[str, ...] = ()
    own_data: bool = False

    @property
    def reduced(self) -> bool:
        return self.settings != self.requested

    def message(self) -> str | None:
        """What was reduced and why, and how to get the full run; None when nothing was."""
        if not self.reduced and self.estimate_s <= self.budget_s:
            return None
        r = self.requested
        test = f"your {r.n_test:,} held-out points" if self.own_data else f"{r.n_test:,} fresh points"
        text = (f"The full run ({len(self.models)} model{'s' * (len(self.models) != 1)}, {r.n_sizes} sizes × "
                f"{r.draws} random training sets, tested on {test}) would take about "
                f"{_s(self.requested_s)} s of the server's CPU, more than the {_s(self.budget_s)} s one click may use. ")
        if self.reductions:
            text += f"This run is cheaper: {'; '.join(self.reductions)} (about {_s(self.estimate_s)} s). "
        if self.estimate_s > self.budget_s:
            text += (f"Even so it is estimated at {_s(self.estimate_s)} s: it stops after "
                     f"{_s(CAP_FACTOR * self.budget_s)} s with the curves it has by then. ")
        if self.leave_out:
            text += f"For the full run, leave out {_and(self.leave_out)}."
        else:
            text += "For the full run, choose fewer models or cheaper settings for them (fewer trees, a smaller net)."
        return text


def _s(seconds: float) -> str:
    """Seconds for a sentence: whole seconds from 10 on, two significant digits below."""
    return f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.2g}"


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plan_run(settings: CurveSettings, models: Sequence[str], cost: Cost, budget_s: float | None,
             own_data: bool = False) -> Plan:
    """The requested run if it fits the budget, else a cheaper one: first fewer draws per size (down to
    ``MIN_DRAWS``), then a smaller test set (down to ``MIN_TEST``; only where testing is over a tenth of the
    cost), then fewer sizes (down to ``MIN_SIZES``).
    ``leave_out``: the costliest models whose omission lets the full run fit (empty if even one alone does not)."""
    models = tuple(models)
    full = estimate_s(settings, models, cost)
    if budget_s is None or full <= budget_s:
        return Plan(settings, settings, models, full, full, budget_s or math.inf, own_data=own_data)
    s, cuts = settings, []
    per_draw = estimate_s(replace(s, draws=1), models, cost)
    draws = int(np.clip(budget_s // max(per_draw, 1e-9), MIN_DRAWS, s.draws))
    if draws < s.draws:
        s = replace(s, draws=draws)
        cuts.append(f"{draws} random training sets per size instead of {settings.draws}")
    fit_part = estimate_s(replace(s, n_test=0), models, cost)
    test_part = estimate_s(s, models, cost) - fit_part
    if fit_part + test_part > budget_s and s.n_test > MIN_TEST and test_part > 0.1 * (fit_part + test_part):
        n = (budget_s - fit_part) / test_part * s.n_test
        n_test = int(np.clip(n // 100 * 100, MIN_TEST, s.n_test))
        if n_test < s.n_test:
            s = replace(s, n_test=n_test)
            of = f" of your {settings.n_test:,} test points" if own_data else " test points"
            cuts.append(f"{n_test:,}{of} instead of {settings.n_test:,}" if not own_data
                        else f"a random {n_test:,}{of}")
    if estimate_s(s, models, cost) > budget_s and s.n_sizes > MIN_SIZES:
        n_sizes = next((k for k in range(s.n_sizes - 1, MIN_SIZES, -1)
                        if estimate_s(replace(s, n_sizes=k), models, cost) <= budget_s), MIN_SIZES)
        s = replace(s, n_sizes=n_sizes)
        cuts.append(f"{len(sizes(s))} training-set sizes instead of {len(sizes(settings))}")
    kept = sorted(models, key=lambda n: -estimate_s(settings, [n], cost))
    out: list[str] = []
    while len(kept) > 1 and estimate_s(settings, kept, cost) > budget_s:
        out.append(kept.pop(0))
    leave_out = tuple(out) if estimate_s(settings, kept, cost) <= budget_s else ()
    return Plan(settings, s, models, full, estimate_s(s, models, cost), budget_s, tuple(cuts), leave_out, own_data)


@dataclass(frozen=True)
class CurvesProgress:
    """A run's snapshot: the phase ("estimating", "fitting", "done", "stopped"), fits done of the total (trial
    fits while estimating), the curves so far, the plan (once made), the CPU seconds spent, and a note."""

    phase: str
    done: int
    total: int
    result: CurveResult | None
    plan: Plan | None = None
    cpu_s: float = 0.0
    note: str | None = None

    @property
    def finished(self) -> bool:
        return self.phase in ("done", "stopped")


class CurvesTrainer:
    """``learning_curves`` one piece per ``step()``: one model fitted on one training set (size i, draw j) and
    tested. With a budget it first fits each model at the smallest and the largest size to measure what a
    piece costs (``PieceCost``) and plans the run (``plan_run``). Pieces run draw by draw, so partial curves
    span every size; each draw comes from ``default_rng([seed, 2, i, j])``, so the result is the same in any
    order and however the work is cut (``order_seed``: the pieces in a random order instead, for tests)."""

    def __init__(self, job: CurvesJob, order_seed: int | None = None) -> None:
        self.job = job
        self.order_seed = order_seed
        self.draw_fn = job.draw()
        self.cpu_s = 0.0
        self.note: str | None = None
        self.plan: Plan | None = None
        self._drawn: tuple[tuple[int, int], np.ndarray, np.ndarray] | None = None
        self._set_up(job.settings)
        self._probes: list[tuple[int, int, int]] = []
        self._measured: dict[tuple[int, int, int], tuple[float, float]] = {}
        if job.budget_s is not None:
            last = len(self.m_values) - 1
            self._probes = [(0, i, k) for k in range(len(job.models)) for i in dict.fromkeys((0, last))]

    def _set_up(self, settings: CurveSettings) -> None:
        self.settings = settings
        self.m_values = sizes(settings)
        self.X_test, self.y_test = test_set(self.job, settings)
        shape = (len(self.m_values), settings.draws)
        self.errors = {name: np.full(shape, np.nan) for name in self.job.models}
        self.computed = {name: np.zeros(shape, bool) for name in self.job.models}
        self._order = [(j, i, k) for j in range(settings.draws) for i in range(len(self.m_values))
                       for k in range(len(self.job.models))]
        if self.order_seed is not None:
            self._order = [self._order[n] for n in np.random.default_rng(self.order_seed).permutation(len(self._order))]
        self._next = 0
        self._drawn = None  # the sizes may have changed

    def _piece(self, j: int, i: int, k: int) -> tuple[float, float]:
        """Fit model k on draw j at size index i, store its test error; (fit, test) CPU seconds."""
        name = self.job.models[k]
        if self._drawn is None or self._drawn[0] != (i, j):
            self._drawn = ((i, j), *training_set(self.draw_fn, int(self.m_values[i]), self.settings, i, j))
        _, X, y = self._drawn
        t0 = time.thread_time()
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            try:
                model = fit(name, X, y, self.job.hp, self.settings.seed)
            except ModelError:
                model = None
            t1 = time.thread_time()
            if model is not None:
                self.errors[name][i, j] = error_rate(model, self.X_test, self.y_test)
        t2 = time.thread_time()
        self.computed[name][i, j] = True
        self.cpu_s += t2 - t0
        return t1 - t0, t2 - t1

    def step(self) -> None:
        """One piece: a trial fit while estimating, then the next fit of the run."""
        if self.done():
            return
        if self._probes:
            piece = self._probes.pop(0)
            self._measured[piece] = self._piece(*piece)
            if not self._probes:
                self._make_plan()
            return
        while self._next < len(self._order) and self._is_computed(*self._order[self._next]):
            self._next += 1  # a trial fit that belongs to the run
        if self._next < len(self._order):
            self._piece(*self._order[self._next])
            self._next += 1
        if self.job.budget_s is not None and self.cpu_s > CAP_FACTOR * self.job.budget_s and not self.done():
            self.note = (f"Stopped at the budget after {self.cpu_s:.1f} s of fitting: {self.fits_done()} of "
                         f"{len(self._order)} fits; the curves use the training sets fitted so far.")

    def _is_computed(self, j: int, i: int, k: int) -> bool:
        return bool(self.computed[self.job.models[k]][i, j])

    def _make_plan(self) -> None:
        last = len(self.m_values) - 1
        m = (int(self.m_values[0]), int(self.m_values[last]))
        cost = {}
        for k, name in enumerate(self.job.models):
            lo, hi = self._measured[(0, 0, k)], self._measured[(0, last, k)]
            cost[name] = PieceCost(m, (lo[0], hi[0]), (lo[1], hi[1]), self.settings.n_test)
        self.plan = plan_run(self.job.settings, self.job.models, cost, self.job.budget_s, self.job.test is not None)
        s = self.plan.settings
        if (s.n_sizes, s.n_test) != (self.settings.n_sizes, self.settings.n_test):  # the trial fits do not belong
            self._set_up(s)
        elif s.draws != self.settings.draws:  # the same pieces, fewer of them: keep the trial fits
            errors, computed = self.errors, self.computed
            self._set_up(s)
            for name in self.job.models:
                self.errors[name][:, :s.draws] = errors[name][:, :s.draws]
                self.computed[name][:, :s.draws] = computed[name][:, :s.draws]

    def fits_done(self) -> int:
        return int(sum(c.sum() for c in self.computed.values())) if not self._probes else 0

    def done(self) -> bool:
        return self.note is not None or (not self._probes and self.fits_done() == len(self._order))

    def diverged(self) -> str | None:
        return None

    def result(self) -> CurveResult:
        return CurveResult(self.m_values, {n: e.copy() for n, e in self.errors.items()},
                           {n: c.copy() for n, c in self.computed.items()})

    def snapshot(self) -> CurvesProgress:
        if self._probes:
            n = len(self._measured)
            return CurvesProgress("estimating", n, n + len(self._probes), None, None, self.cpu_s)
        phase = "stopped" if self.note else "done" if self.done() else "fitting"
        return CurvesProgress(phase, self.fits_done(), len(self._order), self.result(), self.plan, self.cpu_s,
                              self.note)


def build_curves(job: CurvesJob) -> CurvesTrainer:
    """The trainer factory for the training pool: ``build_curves(job)`` runs in a worker process."""
    return CurvesTrainer(job)


# --------------------------------------------------------------------------------------------------
# Finished runs, shared by every session of the server
# --------------------------------------------------------------------------------------------------
_CURVES = Memo(16)


def cached(key: Hashable, compute: Callable[[], CurveResult]) -> CurveResult:
    """``compute()`` remembered under ``key`` (the caller's settings); a small LRU shared by sessions."""
    return _CURVES(key, compute)


def remember(job: CurvesJob, progress: CurvesProgress) -> CurvesProgress:
    """Keep a finished run under its job's key (the one kept already, if any, is the same run): the kept one."""
    return _CURVES(job.key(), lambda: progress)


def _not_kept() -> CurvesProgress:
    raise KeyError


def recall(job: CurvesJob) -> CurvesProgress | None:
    """The finished run kept for this job, or None (nothing is stored by asking)."""
    try:
        return _CURVES(job.key(), _not_kept)
    except KeyError:
        return None
