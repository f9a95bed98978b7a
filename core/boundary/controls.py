"""The decision-boundary explorer's controls and the glue from their values to data, panels and curves.

The page draws and reads its widgets from the ``Control`` declarations here (``core.controls``); the longer teaching texts
(what you see, try this) are here too, so the page file holds layout and the one-line captions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from core.boundary import curves as lc
from core.boundary import data as ds
from core.boundary import models as clf
from core.boundary import panels as bf
from core.controls import NUMBER, SELECTBOX, Control
from core.numbers import number

_D = ds.DataSettings()
LC_DEFAULT_MODELS = ("Gaussian naive Bayes", "Logistic regression")


DATASET = Control("boundary.dataset", "Dataset", _D.dataset, options=ds.DATASETS, kind=SELECTBOX)
MODELS = Control("boundary.models", "Models", list(clf.DEFAULT_MODELS), options=clf.MODEL_NAMES)
SEED = Control("boundary.seed", "Seed", _D.seed, 0, 9999, 1, kind=NUMBER)
DATA_SLIDERS = (
    Control("boundary.n_samples", "Number of samples", _D.n_samples, 20, 2000, 10),
    Control("boundary.noise", "Noise", _D.noise, 0.0, 1.0, 0.05,
            help="Blobs: each cluster's spread is 0.5 + noise. Others: standard deviation of the Gaussian "
                 "noise added to every point."),
    Control("boundary.balance", "Class balance: share of class 1", _D.balance, 0.1, 0.9, 0.05,
            help="Two-class datasets only."),
    Control("boundary.correlation", "Correlation of x₁ and x₂ within a blob", _D.correlation, -0.95, 0.95, 0.05),
    Control("boundary.test_fraction", "Test share", _D.test_fraction, 0.1, 0.5, 0.05),
)
_HP = clf.Hyperparameters()


def _hyper(field: str, label: str, *range_: float, options: tuple | None = None, help: str = "") -> Control:
    return Control(f"boundary.{field}", label, getattr(_HP, field), *range_, options=options, help=help)


_HYPER_CONTROLS = (
    _hyper("gmm_components", "Gaussian mixture: components per class", 1, 8, 1),
    _hyper("kde_bandwidth", "KDE: bandwidth h (in standard deviations)", 0.05, 1.5, 0.05),
    _hyper("lr_degree", "Logistic regression: polynomial degree", 1, 6, 1,
           help="Degree of the polynomial features φ(x); 1 is a straight boundary."),
    _hyper("linsvm_C", "Linear SVM: C", options=clf.C_OPTIONS, help="Small C: wide margin, more slack."),
    _hyper("rbf_C", "RBF SVM: C", options=clf.C_OPTIONS),
    _hyper("rbf_gamma", "RBF SVM: γ", options=clf.GAMMA_OPTIONS,
           help="Kernel exp(-γ‖x - x'‖²) on standardised features: large γ, wiggly boundary."),
    _hyper("tree_depth", "Decision tree: max depth", 1, 20, 1),
    _hyper("forest_trees", "Random forest: trees", 1, 200, 1),
    _hyper("forest_depth", "Random forest: max depth", 1, 20, 1),
    _hyper("knn_k", "k-NN: k neighbours", 1, 50, 1),
    _hyper("nn_width", "Neural net: units per hidden layer", 2, 64, 1),
    _hyper("nn_depth", "Neural net: hidden layers", 1, 4, 1),
    _hyper("nn_alpha", "Neural net: L2 penalty α", options=clf.ALPHA_OPTIONS,
           help="Weight decay: small α lets the net bend its boundary around single points."),
)
_BY_KEY = {c.key: c for c in _HYPER_CONTROLS}
HYPER_CONTROLS: dict[str, tuple[Control, ...]] = {h.model: () for h in clf.HYPERS}
for _h in clf.HYPERS:
    HYPER_CONTROLS[_h.model] += (_BY_KEY[_h.key],)
CONTOURS = Control("boundary.contours", "Density contours P(x | y)", True)
SAMPLE = Control("boundary.sample", "Sample from the model", False, help="Draw y from P(y), then x from P(x | y).")
N_DRAW = Control("boundary.n_draw", "Samples per panel", 100, 10, 500, 10)
USE_PRIOR = Control("boundary.use_prior", "Shift the prior (generative models)", False)
PRIOR = Control("boundary.prior", "P(y = 1) used by the generative models", 0.5, 0.01, 0.99, 0.01)
EXTRAS = ((CONTOURS,), (SAMPLE, N_DRAW), (USE_PRIOR, PRIOR))
"""The generative extras, column by column."""
LC_MODELS = Control("boundary.lc_models", "Models for the learning curves", list(LC_DEFAULT_MODELS),
                    options=clf.MODEL_NAMES)
LC_EXTRA = Control("boundary.lc_extra", "Irrelevant extra features", 0, 0, 50, 1,
                   help="N(0, 1) features that carry no information, appended for the learning curves only.")
CONTROLS: tuple[Control, ...] = (DATASET, *DATA_SLIDERS, SEED, MODELS, *(c for cs in HYPER_CONTROLS.values() for c in cs),
                                 CONTOURS, SAMPLE, N_DRAW, USE_PRIOR, PRIOR, LC_MODELS, LC_EXTRA)
"""Every widget whose value belongs in a share link."""

NG_JORDAN = {"boundary.dataset": ds.BLOBS, "boundary.correlation": 0.6, "boundary.noise": 0.25,
             "boundary.balance": 0.5, "boundary.lc_extra": 30}
"""Correlated blobs plus 30 irrelevant features: the setting where the Ng & Jordan crossover shows."""


PANELS_WHAT_YOU_SEE = (
    "Colour is P(y = 1 | x): blue near 0 (class 0), white at ½, orange near 1 (class 1); with three classes, the "
    "winning class's colour, paler where it is less sure. The black line is the decision boundary; ● train, "
    "✕ test. The rings are each class's P(x | y), which only generative models have: that is what lets them "
    "sample ★ new points and take a new prior without refitting.")
TRY_THIS = (
    "Choose *blobs (correlated)*, add LDA, set the correlation to 0.9: naive Bayes keeps an upright boundary (it "
    "assumes x₁ and x₂ independent given y), LDA tilts with the clouds and wins on test accuracy.",
    "Turn on *Shift the prior* and move P(y = 1) to 0.95: every generative boundary slides into the blue class, "
    "while the discriminative panels stay as they were. Nothing is refitted.",
    "Turn on *Sample from the model*: QDA's stars form two ellipses, not moons; set the Gaussian mixture to 6 "
    "components and its stars trace the two moons.",
    "Add k-NN and set k = 1: its train accuracy is 1.000 and its test accuracy drops: it memorised the noise.",
    "Set the number of samples to 20 and the mixture to 8 components: its panel explains why it cannot be fitted.",
)
def curve_leaders(sizes: Sequence[int], summary: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> str:
    """One line naming, at each training-set size m, the model with the lowest mean test error (and that error)."""
    parts = []
    for i, m in enumerate(sizes):
        means = {name: float(mean[i]) for name, (mean, _) in summary.items() if np.isfinite(mean[i])}
        if means:
            best = min(means, key=means.__getitem__)
            parts.append(f"m = {int(m)}: {best} ({means[best]:.3f})")
    return "Lowest mean test error: " + "; ".join(parts) + "." if parts else ""


FAMILY_FORMULAS = (
    r"\text{generative: } P(y{=}k \mid x) = \frac{P(x \mid y{=}k)\,P(y{=}k)}{\sum_j P(x \mid y{=}j)\,P(y{=}j)}",
    r"\text{discriminative: } P(y{=}1 \mid x) = \sigma(w^\top \phi(x) + b)\ \text{(or a tree, a vote, a net)}")
"""How each family gets to P(y | x), shown side by side at the top of the page."""
NG_JORDAN_HELP = "Correlated blobs (ρ = 0.6) with 30 irrelevant features."
CSV_LABEL = (f"Your CSV: two numeric feature columns and a label column (≤ {ds.MAX_BYTES // 2**20} MB, "
             f"≤ {ds.MAX_ROWS:,} rows)")
CURVES_INTRO = ("Test error against training-set size m, each point the mean over 20 random training sets "
                "(band: ± 1 sd), on fresh data from the current generator.")
CURVES_WHAT_YOU_SEE = (
    "Naive Bayes settles fast but on a higher error (its independence assumption is wrong for correlated "
    "features); logistic regression needs more data and ends lower. Press *Ng & Jordan setup*, then *Compute*: "
    "naive Bayes leads for small m, logistic regression from m ≈ 90 on.")


HYPER_MODEL = {c.key: model for model, cs in HYPER_CONTROLS.items() for c in cs}
"""The model each hyperparameter control belongs to."""

RESULTS_FRAGMENT = "boundary.results_fragment"
CURVES_FRAGMENT = "boundary.curves_fragment"


def panel_fragment(model: str) -> str:
    """The key of a model's panel fragment (its own setting reruns only that panel and the results table)."""
    return f"boundary.panel.{model}"


def hyper_controls(models: Sequence[str]) -> list[Control]:
    """The hyperparameter controls of the selected models only, in model order."""
    return [c for m in clf.MODEL_NAMES if m in models for c in HYPER_CONTROLS.get(m, ())]


def data_settings(state: Mapping[str, Any]) -> ds.DataSettings:
    """The generator settings from the widget values."""
    return ds.DataSettings(state[DATASET.key], *(state[c.key] for c in DATA_SLIDERS), int(state[SEED.key]))


def hyperparameters(state: Mapping[str, Any]) -> clf.Hyperparameters:
    """Every model's hyperparameters from the widget values (defaults for controls not on the page)."""
    return clf.Hyperparameters(**{h.field: state.get(h.key, h.default) for h in clf.HYPERS})


def lab_data(settings: ds.DataSettings, points: ds.LabelledPoints | None, added: Sequence) -> ds.Dataset:
    """The built-in dataset, or your own CSV points, split; then your clicked points added to training."""
    if settings.dataset == ds.CUSTOM:
        base = ds.dataset_from_points(points, settings.test_fraction, settings.seed)
    else:
        base = ds.make_dataset(settings)
    return ds.with_added(base, added)


def trainable(data: ds.Dataset) -> bool:
    """At least two classes with training points: otherwise there is no boundary to learn."""
    return int((np.bincount(data.y_train.astype(int), minlength=data.n_classes) > 0).sum()) >= 2


def prior_of(state: Mapping[str, Any], n_classes: int) -> np.ndarray | None:
    """(1 - p, p) when the prior is shifted (two classes only), else None (each model keeps its fitted P(y))."""
    if n_classes != 2 or not state[USE_PRIOR.key]:
        return None
    p = float(state[PRIOR.key])
    return np.array([1.0 - p, p])


MAX_FIT_POINTS, MAX_SCORE_POINTS = 1400, 600
"""The most training points a panel is fitted on and test points it is scored on: the built-in data's largest split
(2,000 samples, 70 / 30 %). Your own data beyond that (a CSV of up to 20,000 rows) is fitted and scored on seeded
subsamples of this many, so one change costs the server no more than the built-in data at its largest. Measured on
this machine, fit + grid + scores on 14,000 training points: KDE 17 s of CPU, the RBF SVM 3.4 s, the net 1.0 s; on
1,400: 0.95, 0.13 and 0.12 s. The upload of 20,000 rows with the six default models: 6.9 s of CPU before, 1.1 s now."""


def _subsample(y: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of n of the points at random, with at least one point of every class."""
    keep = rng.permutation(len(y))[:n]
    missing = [np.flatnonzero(y == c)[0] for c in np.unique(y) if c not in y[keep]]
    return np.sort(np.concatenate([keep[: n - len(missing)], np.array(missing, dtype=int)]))


def panel_points(data: ds.Dataset, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """The points the panels are fitted and scored on, and their cache key: all of them, or seeded random
    subsamples of ``MAX_FIT_POINTS`` training and ``MAX_SCORE_POINTS`` test points when there are more."""
    X_tr, y_tr, X_te, y_te = data.X_train, data.y_train, data.X_test, data.y_test
    if len(y_tr) <= MAX_FIT_POINTS and len(y_te) <= MAX_SCORE_POINTS:
        return X_tr, y_tr, X_te, y_te, data.fingerprint()
    if len(y_tr) > MAX_FIT_POINTS:
        keep = _subsample(y_tr, MAX_FIT_POINTS, np.random.default_rng([seed, 4]))
        X_tr, y_tr = X_tr[keep], y_tr[keep]
    if len(y_te) > MAX_SCORE_POINTS:
        keep = _subsample(y_te, MAX_SCORE_POINTS, np.random.default_rng([seed, 5]))
        X_te, y_te = X_te[keep], y_te[keep]
    return X_tr, y_tr, X_te, y_te, f"{data.fingerprint()}/sub{MAX_FIT_POINTS},{MAX_SCORE_POINTS}/{seed}"


def panel_points_note(data: ds.Dataset) -> str | None:
    """Says that the panels are fitted (or scored) on a subsample of your data, when they are."""
    n, t = len(data.y_train), len(data.y_test)
    if n <= MAX_FIT_POINTS and t <= MAX_SCORE_POINTS:
        return None
    fitted = f"fitted on a random {MAX_FIT_POINTS:,} of your {n:,} training points" if n > MAX_FIT_POINTS else \
        f"fitted on all {n:,} training points"
    scored = f"scored on a random {MAX_SCORE_POINTS:,} of your {t:,} test points" if t > MAX_SCORE_POINTS else \
        f"scored on all {t:,} test points"
    return (f"Every model here is {fitted} and {scored} (as many as the built-in data has at most), so that one "
            "change does not hold the server for the whole class. For more, run scikit-learn on your own machine.")


def panels(state: Mapping[str, Any], data: ds.Dataset, grid: clf.Grid, prior: np.ndarray | None,
           names: Sequence[str] | None = None) -> list[clf.Panel]:
    """One panel per selected model (or per model in ``names``): cached fits (on ``panel_points``), with the shifted
    prior applied to the generative ones."""
    hp, seed = hyperparameters(state), int(state[SEED.key])
    names = state[MODELS.key] if names is None else names
    X_tr, y_tr, X_te, y_te, key = panel_points(data, seed)
    out = clf.evaluate_many(names, key, X_tr, y_tr, X_te, y_te, grid, hp, seed)
    return [clf.with_prior(p, prior) if prior is not None else p for p in out]


def samples_of(panel: clf.Panel, state: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """New labelled points drawn from a generative panel's P(y) P(x | y) when sampling is on (same seed, same stars)."""
    if not state[SAMPLE.key] or not panel.generative or panel.error:
        return None
    return panel.model.sample(int(state[N_DRAW.key]), np.random.default_rng(int(state[SEED.key])), panel.prior)


def score_line(scores: clf.Scores) -> str:
    """'accuracy train 0.95 · test 0.93 · test log-loss 0.21' ('—' where there is no test set)."""
    train, test, log_loss = (number(v, undefined="—") for v in (scores.train_accuracy, scores.test_accuracy,
                                                                 scores.test_log_loss))
    return f"accuracy train {train} · test {test} · test log-loss {log_loss}"


def panel_lines(panel: clf.Panel, state: Mapping[str, Any]) -> list[str]:
    """The lines under a fitted panel: its scores, and why it cannot sample when sampling is on."""
    lines = [score_line(panel.scores)]
    if state[SAMPLE.key] and not panel.generative:
        lines.append(f"Cannot sample: {clf.WHY_NO_SAMPLES[panel.name]}")
    return lines


def panels_notes(state: Mapping[str, Any], panels: Sequence[clf.Panel]) -> list[tuple[str, str]]:
    """Why no panel is shown, as (kind, message): no model picked, or training data of a single class."""
    if not state[MODELS.key]:
        return [("info", "Pick one or more models above: each gets a panel.")]
    if not panels:
        return [("warning", "The training data needs points of at least two classes before any model can be fitted.")]
    return []


def extra_disabled(c: Control, state: Mapping[str, Any], n_classes: int) -> bool:
    """Whether a generative extra is greyed out: the number of draws without sampling, the prior shift without two
    classes (and its value without the shift)."""
    if c is N_DRAW:
        return not state[SAMPLE.key]
    if c is USE_PRIOR:
        return n_classes != 2
    if c is PRIOR:
        return n_classes != 2 or not state[USE_PRIOR.key]
    return False


def panel_cards(panels: Sequence[clf.Panel], data: ds.Dataset, grid: clf.Grid, state: Mapping[str, Any],
                style: Any = bf.NORMAL) -> list[str]:
    """Each panel as one HTML card: a fitted one with its picture (drawn on the shared pools and remembered, so a
    panel's fragment finds its own) and its lines; a failed one with its name only (the page says why beneath)."""
    fitted = [p for p in panels if not p.error]
    pictures = iter(bf.cached_panel_htmls(fitted, data, grid, contours=state[CONTOURS.key],
                                          samples=[samples_of(p, state) for p in fitted], style=style))
    return [bf.panel_card(p.name, p.generative, style=style) if p.error
            else bf.panel_card(p.name, p.generative, next(pictures), panel_lines(p, state), style=style) for p in panels]


def prior_formula(prior: np.ndarray) -> str:
    """Bayes' rule with the shifted prior's numbers, in LaTeX."""
    p0, p1 = prior
    return (rf"P(y{{=}}1 \mid x) = \frac{{P(x \mid 1) \times {p1:.2f}}}{{P(x \mid 0) \times {p0:.2f} + "
            rf"P(x \mid 1) \times {p1:.2f}}}\quad\text{{(the fitted }}P(x \mid y)\text{{, no refit)}}")


@dataclass(frozen=True, eq=False)
class CurveJob:
    """The page's learning-curve request: the job a worker runs (and its cache key), a problem that stops it
    before it starts, and a note on the data (your own data's sizes capped at ``lc.MAX_M``)."""

    job: lc.CurvesJob
    problem: str | None = None
    note: str | None = None

    @property
    def key(self) -> tuple:
        return self.job.key()

    def notes(self) -> list[tuple[str, str]]:
        """What the page says about the request, as (kind, message): the problem that stops it, or the data note."""
        return [("info", self.problem)] if self.problem else [("caption", self.note)] if self.note else []


MIN_OWN_POINTS = 20


def curve_job(state: Mapping[str, Any], data: ds.Dataset) -> CurveJob:
    """Learning curves on the current generator (fresh data per draw), or on your own data (subsamples)."""
    settings = data_settings(state)
    hp, models = hyperparameters(state), tuple(state[LC_MODELS.key])
    custom = settings.dataset == ds.CUSTOM
    curve = lc.CurveSettings(extra_features=int(state[LC_EXTRA.key]), seed=settings.seed)
    problem = note = None
    if not models:
        problem = "Pick at least one model for the learning curves."
    elif custom and len(data.y_train) < MIN_OWN_POINTS:
        problem = f"Learning curves on your own data need at least {MIN_OWN_POINTS} training points."
    elif custom and not len(data.y_test):
        problem = "Learning curves on your own data need a test set: upload a CSV (clicked points only train)."
    elif custom and not trainable(data):
        problem = "Learning curves need training points of at least two classes."
    if not custom:
        generator = ds.DataSettings(settings.dataset, noise=settings.noise, balance=settings.balance,
                                    correlation=settings.correlation)  # only what the draws depend on
        return CurveJob(lc.CurvesJob(models, hp, curve, generator=generator, budget_s=lc.BUDGET_S), problem)
    n_train = len(data.y_train)
    if n_train > lc.MAX_M:
        note = (f"Training-set sizes go up to {lc.MAX_M} of your {n_train:,} training points (larger fits would "
                f"hold the server too long); the test set is your {len(data.y_test):,} held-out points.")
    curve = replace(curve, m_max=min(max(n_train, 9), lc.MAX_M), n_test=max(len(data.y_test), 1))
    return CurveJob(lc.CurvesJob(models, hp, curve, pool=(data.X_train, data.y_train), test=(data.X_test, data.y_test),
                                 budget_s=lc.BUDGET_S), problem, note)


def curves_progress(progress: lc.CurvesProgress | None) -> tuple[float, str]:
    """The progress bar's fraction and text: trial fits while estimating the cost, then "37 of 240 fits"."""
    if progress is None:
        return 0.0, "Starting on the server's training workers…"
    if progress.phase == "estimating":
        return 0.0, f"Estimating the cost: {progress.done} of {progress.total} trial fits"
    return progress.done / max(progress.total, 1), f"{progress.done} of {progress.total} fits"


def curves_notes(progress: lc.CurvesProgress) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What the page says around the learning-curve chart, as (kind, message): before it, what the plan cut and why
    the run stopped; after it, once the run has finished (while it runs, or when it was cancelled, a leader at some
    m may be one draw's luck), the leader at each m and the fits that were impossible."""
    before = [("warning", m) for m in (progress.plan.message() if progress.plan is not None else None, progress.note)
              if m]
    if progress.result is None or not progress.finished:
        return before, []
    result = progress.result
    after = [("caption", curve_leaders(result.sizes, result.summary()))] + [("caption", n) for n in result.failure_notes()]
    return before, after


def cancelled_note(progress: lc.CurvesProgress | None) -> str:
    """What Cancel leaves: how much was done, and that the curves shown use only that."""
    if progress is None or progress.phase == "estimating" or not progress.done:
        return "Cancelled before any fit of the run was done. Press *Compute learning curves* to start again."
    return (f"Cancelled after {progress.done} of {progress.total} fits ({progress.cpu_s:.1f} s of the server's CPU): "
            "the curves below use only those. Press *Compute learning curves* to start again.")


def interrupted_note(message: str) -> str:
    """A run the server stopped before its end (a failed fit, a worker restarted, a page left alone too long)."""
    said = " ".join(part for part in message.replace(". ", ".\n").splitlines() if "▶" not in part and "↺" not in part)
    if said and not said.endswith((".", "!", "?")):
        said += "."
    return (f"The learning curves stopped before the end. {said + ' ' if said else ''}"
            "Press *Compute learning curves* to start again.")
