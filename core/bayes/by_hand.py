"""Gaussian naive Bayes worked by hand on a small weather table, step by step.

P(y | x) ∝ P(y) Πⱼ N(xⱼ; μⱼ,y, σ²ⱼ,y): class priors from counts, one Gaussian per feature and class,
their product (naive: features independent given the class), then normalisation over the classes.
The numbers are checked against scikit-learn's ``GaussianNB`` (same variance smoothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from scipy.stats import norm

FEATURES = ("h (humidity, g/m³)", "T (temperature, °C)", "T_i (indoor temperature, °C)")
"""h: water vapour per cubic metre of outdoor air; T: the outdoor temperature; T_i: the temperature indoors,
in a cellar, which does not follow the weather (in the example its values are the same on rainy and dry days,
so its two Gaussians are the same and it cannot move the posterior)."""
LABEL = "rain (1/0)"
MAX_ABS = 1e6
"""The largest size of a value the table and the new day take: squares of larger ones (in the variances and
the Gaussians' exponents) would overflow to infinity, and no weather reading comes near it."""
VAR_SMOOTHING = 1e-9
"""As in scikit-learn: ε = 1e-9 × the largest feature variance is added to every variance."""


def example_days() -> pd.DataFrame:
    """Ten days of weather: rainy days are humid and a little cooler; the cellar's 10-12 °C are the same either way.

    The first day is the one of the notes this playground grew from: h = 21, T = 20, T_i = 10, rain."""
    return pd.DataFrame(
        {
            FEATURES[0]: [21.0, 18.0, 19.0, 16.0, 20.0, 9.0, 11.0, 7.0, 12.0, 8.0],
            FEATURES[1]: [20.0, 15.0, 14.0, 17.0, 13.0, 24.0, 22.0, 26.0, 19.0, 23.0],
            FEATURES[2]: [10.0, 11.0, 10.0, 12.0, 11.0, 11.0, 10.0, 12.0, 11.0, 10.0],
            LABEL: [1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
        }
    )


def example_new_day() -> dict[str, float]:
    """The day to classify: in between, so the posterior is not a foregone conclusion (about 0.43)."""
    return {FEATURES[0]: 14.0, FEATURES[1]: 19.0, FEATURES[2]: 11.0}


@dataclass
class TableCheck:
    """A validated table: X, y and the messages for the student (errors stop the calculation)."""

    X: np.ndarray | None = None
    y: np.ndarray | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_table(df: pd.DataFrame) -> TableCheck:
    """Validate an edited table: numeric cells, labels 0/1, at least one day of each class."""
    out = TableCheck()
    missing = [c for c in (*FEATURES, LABEL) if c not in df.columns]
    if missing:
        out.errors.append(f"The table is missing the column(s) {', '.join(missing)}.")
        return out
    table = df[[*FEATURES, LABEL]]
    table = table.dropna(how="all")
    if len(table) == 0:
        out.errors.append("The table is empty: add some days.")
        return out
    numeric = table.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna() & table.notna()
    blank = table.isna()
    for col in table.columns:
        rows = [str(i + 1) for i in np.flatnonzero(blank[col].to_numpy())]
        if rows:
            out.errors.append(f"Column '{col}' has a blank cell in row(s) {', '.join(rows)}.")
        rows = [str(i + 1) for i in np.flatnonzero(bad[col].to_numpy())]
        if rows:
            out.errors.append(f"Column '{col}' has a non-numeric cell in row(s) {', '.join(rows)}.")
    if out.errors:
        return out
    values = numeric.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        out.errors.append("Every cell must be a finite number.")
        return out
    big = sorted({str(i + 1) for i in np.flatnonzero((np.abs(values) > MAX_ABS).any(axis=1))}, key=int)
    if big:
        out.errors.append(f"Row(s) {', '.join(big)} hold a value beyond ±{MAX_ABS:,.0f}: that is no weather "
                          "reading, and its square would overflow the variances.")
        return out
    y = values[:, -1]
    if not np.isin(y, (0.0, 1.0)).all():
        out.errors.append(f"The label column '{LABEL}' must hold only 0 (dry) or 1 (rain).")
        return out
    if len(values) < 2:
        out.errors.append("A single day is not enough: naive Bayes needs at least one rainy and one dry day.")
        return out
    for cls, name in ((1, "rainy"), (0, "dry")):
        if not (y == cls).any():
            out.errors.append(
                f"There are no {name} days (y = {cls}): P(y = {cls}) = 0 and its likelihoods cannot be "
                "estimated. Add at least one."
            )
    if out.errors:
        return out
    X = values[:, :-1]
    for cls, name in ((1, "rainy"), (0, "dry")):
        rows = X[y == cls]
        if len(rows) == 1:
            out.warnings.append(
                f"Only one {name} day: every feature's variance in that class is 0, so its Gaussians are "
                "spikes (only the smoothing ε keeps them finite)."
            )
            continue
        for j, feat in enumerate(FEATURES):
            if np.var(rows[:, j]) == 0.0:
                out.warnings.append(
                    f"'{feat}' has zero variance among {name} days: its Gaussian is a spike of width "
                    "√ε, so any other value is (almost) impossible for that class."
                )
    out.X, out.y = X, y.astype(int)
    return out


@dataclass(frozen=True)
class NaiveBayesSteps:
    """Every intermediate number of the calculation for one new day x."""

    classes: np.ndarray  # (K,)
    prior: np.ndarray  # (K,)  P(y)
    mean: np.ndarray  # (K, D)
    var: np.ndarray  # (K, D)  smoothed
    log_likelihood: np.ndarray  # (K, D) ln N(x_j; μ, σ²)
    log_joint: np.ndarray  # (K,) ln P(y) + Σ_j ln N(...)
    log_evidence: float  # ln P(x) = logsumexp(log_joint)
    posterior: np.ndarray  # (K,)

    @property
    def likelihood(self) -> np.ndarray:
        """N(x_j; μ, σ²) per class and feature."""
        return np.exp(self.log_likelihood)

    @property
    def product(self) -> np.ndarray:
        """Π_j N(x_j; μ, σ²) per class (the naive independence assumption)."""
        return np.exp(self.log_likelihood.sum(axis=1))


def naive_bayes_steps(X: np.ndarray, y: np.ndarray, x_new: np.ndarray) -> NaiveBayesSteps:
    """Fit Gaussian naive Bayes by hand and classify ``x_new``; P(y | x) = P(y) Π N / Σ_y' P(y') Π N."""
    classes = np.unique(y)
    eps = VAR_SMOOTHING * float(np.var(X, axis=0).max())
    prior = np.array([np.mean(y == c) for c in classes])
    mean = np.array([X[y == c].mean(axis=0) for c in classes])
    var = np.array([X[y == c].var(axis=0) for c in classes]) + eps
    if eps == 0.0:
        var = np.maximum(var, np.finfo(float).tiny)
    log_likelihood = norm.logpdf(x_new[None, :], loc=mean, scale=np.sqrt(var))
    log_joint = np.log(prior) + log_likelihood.sum(axis=1)
    log_evidence = float(logsumexp(log_joint))
    posterior = np.exp(log_joint - log_evidence)
    return NaiveBayesSteps(classes, prior, mean, var, log_likelihood, log_joint, log_evidence, posterior)


def gaussian_nb_posterior(X: np.ndarray, y: np.ndarray, x_new: np.ndarray) -> np.ndarray:
    """The reference: scikit-learn's GaussianNB posterior for ``x_new`` (classes in sorted order)."""
    from sklearn.naive_bayes import GaussianNB

    model = GaussianNB(var_smoothing=VAR_SMOOTHING).fit(X, y)
    return model.predict_proba(x_new[None, :])[0]


def steps_table(steps: NaiveBayesSteps) -> pd.DataFrame:
    """One row per class: prior, μ and σ² and N(xⱼ) per feature, the product, P(y)·Π, the posterior."""
    rows = []
    for k, cls in enumerate(steps.classes):
        row: dict[str, object] = {"class": "rain (y=1)" if cls == 1 else "dry (y=0)", "prior P(y)": steps.prior[k]}
        for j, feat in enumerate(FEATURES):
            short = feat.split(" ")[0]
            row[f"μ {short}"] = steps.mean[k, j]
            row[f"σ² {short}"] = steps.var[k, j]
            row[f"N({short})"] = steps.likelihood[k, j]
        row["Π N(x_j)"] = steps.product[k]
        row["P(y) Π N(x_j)"] = np.exp(steps.log_joint[k])
        row["posterior P(y | x)"] = steps.posterior[k]
        rows.append(row)
    table = pd.DataFrame(rows).set_index("class")
    return table.map(lambda v: f"{v:.4g}")
