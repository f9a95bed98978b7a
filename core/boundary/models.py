"""The twelve classifiers of the decision-boundary explorer, and a cache of their fits.

Generative models learn P(x, y) = P(y) P(x | y) and classify with Bayes' rule,
P(y = k | x) = P(x | y = k) P(y = k) / Σ_j P(x | y = j) P(y = j); because they keep P(x | y) they can
draw new labelled points and take a new prior without refitting. Discriminative models learn only
P(y | x) (or a score turned into one). Every model is a scikit-learn estimator.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.mixture import GaussianMixture
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KernelDensity, KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier

from core.memo import Memo, map_uncached

GENERATIVE = ("Gaussian naive Bayes", "LDA", "QDA", "Gaussian mixture", "KDE")
DISCRIMINATIVE = ("Logistic regression", "Linear SVM", "RBF SVM", "Decision tree", "Random forest", "k-NN",
                  "Neural net")
MODEL_NAMES = GENERATIVE + DISCRIMINATIVE
DEFAULT_MODELS = ("Gaussian naive Bayes", "QDA", "Gaussian mixture", "Logistic regression", "RBF SVM",
                  "Neural net")

C_OPTIONS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 1000.0)
GAMMA_OPTIONS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
ALPHA_OPTIONS = (0.0001, 0.001, 0.01, 0.1, 1.0, 10.0)

WHY_NO_SAMPLES = {
    "Logistic regression": "it learns only P(y | x) = σ(wᵀφ(x) + b); with no P(x) there is nothing to draw x from.",
    "Linear SVM": "it learns only a separating line (a score wᵀx + b), not where the data lie.",
    "RBF SVM": "it learns only a score built from support vectors, not a density of x.",
    "Decision tree": "its leaves store class frequencies P(y | leaf), not how x is spread inside a leaf.",
    "Random forest": "its trees vote on P(y | x); none of them models P(x).",
    "k-NN": "it looks up the labels of nearby training points; it has no model of x at all.",
    "Neural net": "its softmax output is P(y | x) only; nothing in it describes P(x).",
}


@dataclass(frozen=True)
class Hyperparameters:
    """Every model's settings (a model reads only its own, so changing one refits only that model)."""

    gmm_components: int = 2
    kde_bandwidth: float = 0.3
    lr_degree: int = 1
    linsvm_C: float = 1.0
    rbf_C: float = 1.0
    rbf_gamma: float = 1.0
    tree_depth: int = 4
    forest_trees: int = 50
    forest_depth: int = 6
    knn_k: int = 15
    nn_width: int = 16
    nn_depth: int = 2
    nn_alpha: float = 1.0


@dataclass(frozen=True)
class Hyper:
    """Which model reads which field of Hyperparameters (its control is in ``core.boundary.controls``)."""

    model: str
    field: str

    @property
    def key(self) -> str:
        return f"boundary.{self.field}"

    @property
    def default(self) -> Any:
        return getattr(Hyperparameters(), self.field)


HYPERS: tuple[Hyper, ...] = (
    Hyper("Gaussian mixture", "gmm_components"),
    Hyper("KDE", "kde_bandwidth"),
    Hyper("Logistic regression", "lr_degree"),
    Hyper("Linear SVM", "linsvm_C"),
    Hyper("RBF SVM", "rbf_C"),
    Hyper("RBF SVM", "rbf_gamma"),
    Hyper("Decision tree", "tree_depth"),
    Hyper("Random forest", "forest_trees"),
    Hyper("Random forest", "forest_depth"),
    Hyper("k-NN", "knn_k"),
    Hyper("Neural net", "nn_width"),
    Hyper("Neural net", "nn_depth"),
    Hyper("Neural net", "nn_alpha"),
)


def params_of(name: str, hp: Hyperparameters) -> tuple[tuple[str, Any], ...]:
    """The hyperparameters ``name`` actually uses, as a hashable tuple (part of its cache key)."""
    return tuple((h.field, getattr(hp, h.field)) for h in HYPERS if h.model == name)


class ModelError(Exception):
    """A model that cannot be fitted on the current data; the message says why, for the student."""


# --------------------------------------------------------------------------------------------------
# Generative models: P(x | y) per class, P(y) from counts, Bayes' rule for P(y | x)
# --------------------------------------------------------------------------------------------------
class GenerativeClassifier:
    """Base: subclasses fit P(x | y = k) and give its log-density, its mean and covariance, and samples."""

    generative = True

    def fit(self, X: np.ndarray, y: np.ndarray) -> GenerativeClassifier:
        """Fit P(y) = class frequency and each class-conditional density P(x | y)."""
        self.classes_, counts = np.unique(y, return_counts=True)
        self.prior_ = counts / counts.sum()
        self._fit_densities(X, y)
        return self

    def _fit_densities(self, X: np.ndarray, y: np.ndarray) -> None:
        raise NotImplementedError

    def class_log_density(self, X: np.ndarray) -> np.ndarray:
        """ln P(x | y = k) for every row of X and class k: shape (n, K)."""
        raise NotImplementedError

    def class_mean(self, k: int) -> np.ndarray:
        """E[x | y = k] under the fitted model."""
        raise NotImplementedError

    def class_covariance(self, k: int) -> np.ndarray:
        """Cov[x | y = k] under the fitted model."""
        raise NotImplementedError

    def _sample_class(self, k: int, m: int, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def _prior(self, prior: np.ndarray | None) -> np.ndarray:
        return self.prior_ if prior is None else np.asarray(prior, dtype=float)

    def predict_log_proba(self, X: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
        """ln P(y | x) = ln P(x | y) + ln P(y) - ln Σ_k P(x | k) P(k) (any prior, no refit)."""
        return self.log_posterior(self.class_log_density(X), prior)

    def log_posterior(self, log_density: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
        """ln P(y | x) from ln P(x | y) already computed (``class_log_density``): Bayes' rule, normalised."""
        with np.errstate(divide="ignore"):
            joint = log_density + np.log(self._prior(prior))
        return joint - logsumexp(joint, axis=1, keepdims=True)

    def predict_proba(self, X: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
        """P(y = k | x), rows sum to 1."""
        return np.exp(self.predict_log_proba(X, prior))

    def predict(self, X: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
        """The most probable class."""
        return self.classes_[np.argmax(self.predict_log_proba(X, prior), axis=1)]

    def sample(self, n: int, rng: np.random.Generator, prior: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Draw (x, y) from P(y) P(x | y): a class from the prior, then x from that class's density."""
        ks = rng.choice(len(self.classes_), size=n, p=self._prior(prior))
        X = np.empty((n, self.n_features_))
        for k in range(len(self.classes_)):
            idx = np.flatnonzero(ks == k)
            if len(idx):
                X[idx] = self._sample_class(k, len(idx), rng)
        return X, self.classes_[ks]


def _gaussian_logpdf(X: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """ln N(x; μ, Σ) via a Cholesky factor: -½ (‖L⁻¹(x-μ)‖² + ln|Σ| + d ln 2π)."""
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, (X - mean).T)  # (d, n)
    d = len(mean)
    return -0.5 * (np.sum(z**2, axis=0) + 2 * np.sum(np.log(np.diag(L))) + d * np.log(2 * np.pi))


class NaiveBayesModel(GenerativeClassifier):
    """Gaussian naive Bayes: P(x | y = k) = Πⱼ N(xⱼ; μⱼₖ, σ²ⱼₖ) (features independent given the class)."""

    def _fit_densities(self, X: np.ndarray, y: np.ndarray) -> None:
        if np.var(X, axis=0).max() == 0.0:
            raise ModelError("All training points are identical: every variance is 0.")
        self.estimator_ = GaussianNB().fit(X, y)
        self.n_features_ = X.shape[1]

    def class_log_density(self, X: np.ndarray) -> np.ndarray:
        mu, var = self.estimator_.theta_, self.estimator_.var_  # (K, D)
        # Σⱼ (xⱼ - μⱼₖ)² / σ²ⱼₖ expanded into matrix products: x²·(1/σ²) - 2x·(μ/σ²) + Σ μ²/σ²
        sq = (X**2) @ (1.0 / var).T - 2.0 * X @ (mu / var).T + np.sum(mu**2 / var, axis=1)
        return -0.5 * (np.sum(np.log(2 * np.pi * var), axis=1)[None, :] + sq)

    def class_mean(self, k: int) -> np.ndarray:
        return self.estimator_.theta_[k]

    def class_covariance(self, k: int) -> np.ndarray:
        return np.diag(self.estimator_.var_[k])

    def _sample_class(self, k: int, m: int, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(self.class_mean(k), np.sqrt(self.estimator_.var_[k]), (m, self.n_features_))


class LDAModel(GenerativeClassifier):
    """LDA: P(x | y = k) = N(x; μₖ, Σ) with one covariance Σ pooled over the classes (scikit-learn's svd solver)."""

    def _fit_densities(self, X: np.ndarray, y: np.ndarray) -> None:
        n, d = X.shape
        if n <= len(self.classes_):
            raise ModelError(f"LDA needs more training points than classes ({n} points, {len(self.classes_)} classes).")
        if np.var(X, axis=0).max() == 0.0:  # scikit-learn's svd solver fails with an IndexError here
            raise ModelError("LDA: all training points are identical, so the pooled covariance is 0.")
        index = np.searchsorted(self.classes_, y)
        means = np.array([X[index == k].mean(axis=0) for k in range(len(self.classes_))])
        resid = X - means[index]
        if np.abs(resid).max() == 0.0:  # and here: the within-class scatter it rescales by is 0
            raise ModelError("LDA: within every class the training points are identical, so the pooled "
                             "covariance is 0.")
        self.estimator_ = LinearDiscriminantAnalysis(solver="svd").fit(X, y)
        self.covariance_ = resid.T @ resid / n  # pooled within-class covariance (maximum likelihood, as sklearn's)
        if np.linalg.matrix_rank(self.covariance_) < d:
            raise ModelError("LDA: the pooled covariance is singular (within each class the points lie on a line).")
        self.n_features_ = d

    def class_log_density(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([_gaussian_logpdf(X, m, self.covariance_) for m in self.estimator_.means_])

    def class_mean(self, k: int) -> np.ndarray:
        return self.estimator_.means_[k]

    def class_covariance(self, k: int) -> np.ndarray:
        return self.covariance_

    def _sample_class(self, k: int, m: int, rng: np.random.Generator) -> np.ndarray:
        return rng.multivariate_normal(self.class_mean(k), self.covariance_, size=m)


class QDAModel(GenerativeClassifier):
    """QDA: P(x | y = k) = N(x; μₖ, Σₖ), a full covariance per class."""

    def _fit_densities(self, X: np.ndarray, y: np.ndarray) -> None:
        d = X.shape[1]
        for k, c in enumerate(self.classes_):
            m = int(np.sum(y == c))
            if m <= d:
                raise ModelError(f"QDA needs more training points than features in every class: class {k} has "
                                 f"{m} point(s) for {d} features, so its covariance matrix is singular.")
        try:
            self.estimator_ = QuadraticDiscriminantAnalysis(store_covariance=True).fit(X, y)
        except np.linalg.LinAlgError:
            raise ModelError("QDA: within one class the training points lie on a line, so that class's "
                             "covariance matrix is singular.") from None
        self.n_features_ = d

    def class_log_density(self, X: np.ndarray) -> np.ndarray:
        est = self.estimator_
        out = []
        for mean, R, S in zip(est.means_, est.rotations_, est.scalings_, strict=True):
            z = (X - mean) @ (R / np.sqrt(S))  # whitened: Σ = R diag(S) Rᵀ
            out.append(-0.5 * (np.sum(z**2, axis=1) + np.sum(np.log(S)) + len(S) * np.log(2 * np.pi)))
        return np.column_stack(out)

    def class_mean(self, k: int) -> np.ndarray:
        return self.estimator_.means_[k]

    def class_covariance(self, k: int) -> np.ndarray:
        R, S = self.estimator_.rotations_[k], self.estimator_.scalings_[k]
        return (R * S) @ R.T

    def _sample_class(self, k: int, m: int, rng: np.random.Generator) -> np.ndarray:
        R, S = self.estimator_.rotations_[k], self.estimator_.scalings_[k]
        return self.class_mean(k) + (rng.standard_normal((m, len(S))) * np.sqrt(S)) @ R.T


class MixtureModel(GenerativeClassifier):
    """A Gaussian mixture per class: P(x | y = k) = Σⱼ πₖⱼ N(x; μₖⱼ, Σₖⱼ), fitted by EM."""

    def __init__(self, n_components: int = 2, seed: int = 0):
        self.n_components = n_components
        self.seed = seed

    def _fit_densities(self, X: np.ndarray, y: np.ndarray) -> None:
        self.mixtures_ = []
        for k, c in enumerate(self.classes_):
            Xk = X[y == c]
            if len(Xk) < self.n_components:
                raise ModelError(f"Gaussian mixture: class {k} has {len(Xk)} training point(s) but "
                                 f"{self.n_components} components were asked; each component needs at least one point.")
            gm = GaussianMixture(self.n_components, covariance_type="full", random_state=self.seed, reg_covar=1e-4)
            self.mixtures_.append(gm.fit(Xk))
        self.n_features_ = X.shape[1]

    def class_log_density(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([gm.score_samples(X) for gm in self.mixtures_])

    def class_mean(self, k: int) -> np.ndarray:
        gm = self.mixtures_[k]
        return gm.weights_ @ gm.means_

    def class_covariance(self, k: int) -> np.ndarray:
        gm = self.mixtures_[k]  # law of total covariance: Σ πⱼ (Σⱼ + μⱼμⱼᵀ) - μμᵀ
        mu = self.class_mean(k)
        second = np.einsum("j,jab->ab", gm.weights_, gm.covariances_ + np.einsum("ja,jb->jab", gm.means_, gm.means_))
        return second - np.outer(mu, mu)

    def _sample_class(self, k: int, m: int, rng: np.random.Generator) -> np.ndarray:
        gm = self.mixtures_[k]
        comp = rng.choice(len(gm.weights_), size=m, p=gm.weights_)
        L = np.linalg.cholesky(gm.covariances_)  # (J, d, d)
        z = rng.standard_normal((m, self.n_features_))
        return gm.means_[comp] + np.einsum("nab,nb->na", L[comp], z)


class KDEModel(GenerativeClassifier):
    """A Gaussian kernel density per class on standardised features: P(x | y = k) = 1/nₖ Σᵢ N(x; xᵢ, h² S²)."""

    def __init__(self, bandwidth: float = 0.3):
        self.bandwidth = bandwidth

    def _fit_densities(self, X: np.ndarray, y: np.ndarray) -> None:
        self.center_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        Z = (X - self.center_) / self.scale_
        self.Z_ = [Z[y == c] for c in self.classes_]
        self.kdes_ = [KernelDensity(bandwidth=self.bandwidth).fit(Zk) for Zk in self.Z_]
        self.n_features_ = X.shape[1]

    def class_log_density(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.center_) / self.scale_
        log_jacobian = np.sum(np.log(self.scale_))  # density in x = density in z / Πⱼ sⱼ
        return np.column_stack([kde.score_samples(Z) for kde in self.kdes_]) - log_jacobian

    def class_mean(self, k: int) -> np.ndarray:
        return self.Z_[k].mean(axis=0) * self.scale_ + self.center_

    def class_covariance(self, k: int) -> np.ndarray:
        cov_z = np.cov(self.Z_[k].T, bias=True).reshape(self.n_features_, self.n_features_)
        cov_z = cov_z + self.bandwidth**2 * np.eye(self.n_features_)  # points' spread + the kernel's
        return cov_z * np.outer(self.scale_, self.scale_)

    def _sample_class(self, k: int, m: int, rng: np.random.Generator) -> np.ndarray:
        Zk = self.Z_[k]
        z = Zk[rng.integers(len(Zk), size=m)] + self.bandwidth * rng.standard_normal((m, self.n_features_))
        return z * self.scale_ + self.center_


# --------------------------------------------------------------------------------------------------
# Building and fitting any of the twelve
# --------------------------------------------------------------------------------------------------
def build(name: str, hp: Hyperparameters = Hyperparameters(), seed: int = 0) -> Any:
    """An unfitted model for ``name`` with its hyperparameters from ``hp``."""
    scale = StandardScaler()
    if name == "Gaussian naive Bayes":
        return NaiveBayesModel()
    if name == "LDA":
        return LDAModel()
    if name == "QDA":
        return QDAModel()
    if name == "Gaussian mixture":
        return MixtureModel(hp.gmm_components, seed)
    if name == "KDE":
        return KDEModel(hp.kde_bandwidth)
    if name == "Logistic regression":
        steps = [scale]
        if hp.lr_degree > 1:
            steps += [PolynomialFeatures(hp.lr_degree, include_bias=False), StandardScaler()]
        return make_pipeline(*steps, LogisticRegression(C=1.0, max_iter=2000))
    if name == "Linear SVM":
        return make_pipeline(scale, CalibratedClassifierCV(LinearSVC(C=hp.linsvm_C), ensemble=False, cv=3))
    if name == "RBF SVM":
        svc = SVC(kernel="rbf", C=hp.rbf_C, gamma=hp.rbf_gamma)
        return make_pipeline(scale, CalibratedClassifierCV(svc, ensemble=False, cv=3))
    if name == "Decision tree":
        return DecisionTreeClassifier(max_depth=hp.tree_depth, random_state=seed)
    if name == "Random forest":
        return RandomForestClassifier(hp.forest_trees, max_depth=hp.forest_depth, random_state=seed, n_jobs=1)
    if name == "k-NN":
        return make_pipeline(scale, KNeighborsClassifier(hp.knn_k))
    if name == "Neural net":
        # L-BFGS for at most scikit-learn's default 200 iterations. On the built-in datasets (noise 0.1-0.4)
        # going on to 300 changed the test accuracy by at most 2 of 90 points and moved P(y | x) by over 0.05
        # on at most 7 % of the plot, for half as much time again: the net was the slowest default fit.
        net = MLPClassifier((hp.nn_width,) * hp.nn_depth, solver="lbfgs", alpha=hp.nn_alpha, max_iter=200,
                            random_state=seed)
        return make_pipeline(scale, net)
    raise ValueError(f"unknown model {name!r}")


def _check(name: str, model: Any, X: np.ndarray, y: np.ndarray) -> None:
    """Refuse, with a reason, the fits that cannot work on this data."""
    counts = np.unique(y, return_counts=True)[1]
    if len(counts) < 2:
        raise ModelError("The training data has only one class: there is no boundary to learn.")
    if name in ("Linear SVM", "RBF SVM"):
        cv = min(3, int(counts.min()))
        if cv < 2:
            raise ModelError(f"{name}: its probabilities are calibrated by cross-validation, which needs at "
                             "least 2 training points in every class.")
        model.steps[-1][1].cv = cv
    if name == "k-NN" and model[-1].n_neighbors > len(y):
        raise ModelError(f"k-NN: k = {model[-1].n_neighbors} is more than the {len(y)} training points.")


def fit(name: str, X: np.ndarray, y: np.ndarray, hp: Hyperparameters = Hyperparameters(), seed: int = 0) -> Any:
    """Fit model ``name`` on (X, y); ModelError with a reason if it cannot be fitted."""
    model = build(name, hp, seed)
    _check(name, model, X, y)
    try:
        model.fit(X, y)
    except ModelError:
        raise
    except (ValueError, IndexError, np.linalg.LinAlgError) as err:  # scikit-learn on data it cannot take
        raise ModelError(f"{name} could not be fitted on this data: {err}") from None
    return model


def is_generative(model: Any) -> bool:
    return isinstance(model, GenerativeClassifier)


def proba(model: Any, X: np.ndarray, prior: np.ndarray | None = None) -> np.ndarray:
    """P(y = k | x) (columns in the order of ``model.classes_``); ``prior`` applies to generative models."""
    if is_generative(model):
        return model.predict_proba(X, prior)
    return model.predict_proba(X)


def classes_of(model: Any) -> np.ndarray:
    return model.classes_ if not isinstance(model, Pipeline) else model[-1].classes_


# --------------------------------------------------------------------------------------------------
# One panel: a fitted model evaluated on a grid and on the data, cached by data and parameters
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Grid:
    """An n × n grid over the plot's axis ranges."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    n: int = 150

    @property
    def xs(self) -> np.ndarray:
        return np.linspace(*self.x_range, self.n)

    @property
    def ys(self) -> np.ndarray:
        return np.linspace(*self.y_range, self.n)

    def points(self) -> np.ndarray:
        """(n·n, 2): row-major over y then x, so ``values.reshape(n, n)[i, j]`` sits at (xs[j], ys[i])."""
        xx, yy = np.meshgrid(self.xs, self.ys)
        return np.column_stack([xx.ravel(), yy.ravel()])


@dataclass(frozen=True)
class Scores:
    """Train/test accuracy and test log-loss (None where there is no test set)."""

    train_accuracy: float | None
    test_accuracy: float | None
    test_log_loss: float | None


@dataclass(frozen=True)
class Panel:
    """Everything one model's panel shows; ``error`` is set (and the rest empty) when it cannot fit."""

    name: str
    generative: bool
    classes: np.ndarray
    error: str | None = None
    model: Any = None
    grid_proba: np.ndarray | None = None  # (n, n, K) float32, P(y = k | x) on the grid
    grid_log_density: np.ndarray | None = None  # (n, n, K) float32, ln P(x | y = k) (generative only)
    scores: Scores | None = None
    fit_seconds: float = 0.0
    prior: np.ndarray | None = None  # the prior the probabilities use (generative only)
    _train_test: tuple = ()  # (X_train, y_train, X_test, y_test) for rescoring under a new prior


def _scores(model: Any, classes: np.ndarray, X_tr: np.ndarray, y_tr: np.ndarray, X_te: np.ndarray,
            y_te: np.ndarray, prior: np.ndarray | None) -> Scores:
    def acc(X: np.ndarray, y: np.ndarray) -> float | None:
        return float(np.mean(classes[np.argmax(proba(model, X, prior), axis=1)] == y)) if len(y) else None

    test_ll = None
    if len(y_te) and np.isin(y_te, classes).all():
        test_ll = float(log_loss(y_te, proba(model, X_te, prior), labels=classes))
    return Scores(acc(X_tr, y_tr), acc(X_te, y_te), test_ll)


def evaluate(name: str, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
             grid: Grid, hp: Hyperparameters = Hyperparameters(), seed: int = 0) -> Panel:
    """Fit ``name`` and compute its panel: P(y | x) and ln P(x | y) on the grid, scores, fit time."""
    generative = name in GENERATIVE
    classes = np.unique(y_train)
    try:
        start = time.perf_counter()
        model = fit(name, X_train, y_train, hp, seed)
        seconds = time.perf_counter() - start
        pts = grid.points()
        log_density = model.class_log_density(pts) if generative else None  # once: P(y | x) follows from it
        P = np.exp(model.log_posterior(log_density)) if generative else proba(model, pts)
        if not np.isfinite(P).all():
            raise ModelError(f"{name} gives undefined probabilities on this data (numerical overflow).")
        classes = classes_of(model)
        shape = (grid.n, grid.n, len(classes))
        if generative:
            log_density = log_density.reshape(shape).astype(np.float32)
        scores = _scores(model, classes, X_train, y_train, X_test, y_test, None)
    except ModelError as err:
        return Panel(name, generative, classes, error=str(err))
    return Panel(name, generative, classes, None, model, P.reshape(shape).astype(np.float32), log_density,
                 scores, seconds, getattr(model, "prior_", None), (X_train, y_train, X_test, y_test))


_PRIORED = Memo(96)


def with_prior(panel: Panel, prior: np.ndarray) -> Panel:
    """The same fitted generative model with P(y) replaced: posterior ∝ likelihood × prior, no refit.

    Remembered per fitted panel and prior, so every rerun with the same prior returns the same object
    (and the picture drawn from it is not drawn again)."""
    if not panel.generative or panel.error or panel.grid_log_density is None:
        return panel
    key = tuple(np.asarray(prior, dtype=float).tolist())
    return _PRIORED(key, lambda: _with_prior(panel, prior), owner=panel)


def _with_prior(panel: Panel, prior: np.ndarray) -> Panel:
    prior = np.asarray(prior, dtype=float)
    with np.errstate(divide="ignore"):
        joint = panel.grid_log_density.astype(np.float64) + np.log(prior)
    P = np.exp(joint - logsumexp(joint, axis=2, keepdims=True)).astype(np.float32)
    scores = _scores(panel.model, panel.classes, *panel._train_test, prior)
    return replace(panel, grid_proba=P, scores=scores, prior=prior)


_PANELS = Memo(96)


def cached_evaluate(name: str, data_key: str, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                    y_test: np.ndarray, grid: Grid, hp: Hyperparameters = Hyperparameters(), seed: int = 0) -> Panel:
    """``evaluate`` remembered by (model, its own hyperparameters, data fingerprint, grid, seed).

    Fitted models are immutable once made, so one small LRU serves every session; a hyperparameter
    change of one model misses only that model's entry.
    """
    return _PANELS(_panel_key(name, data_key, grid, hp, seed),
                   lambda: evaluate(name, X_train, y_train, X_test, y_test, grid, hp, seed))


def _panel_key(name: str, data_key: str, grid: Grid, hp: Hyperparameters, seed: int) -> tuple:
    return (name, params_of(name, hp), data_key, grid, seed)


FIT_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="panel-fit")
"""Two threads shared by every session: a class of students on one server queues its fits here instead of
each page run starting threads of its own."""


def evaluate_many(names: Sequence[str], data_key: str, X_train: np.ndarray, y_train: np.ndarray,
                  X_test: np.ndarray, y_test: np.ndarray, grid: Grid, hp: Hyperparameters = Hyperparameters(),
                  seed: int = 0, parallel: bool = True) -> list[Panel]:
    """``cached_evaluate`` for several models, the ones not cached on ``FIT_THREADS`` (scikit-learn releases
    the GIL in much of its fitting).

    The slowest kinds of fit start first (``SLOW_FIRST``), so the last to finish is not a slow one that
    began late; the panels come back in the order of ``names``."""
    def one(name: str) -> Panel:
        return cached_evaluate(name, data_key, X_train, y_train, X_test, y_test, grid, hp, seed)
    if not parallel:
        return [one(n) for n in names]
    return map_uncached(FIT_THREADS, names, one, cached=lambda n: _PANELS.has(_panel_key(n, data_key, grid, hp, seed)),
                        first=lambda n: SLOW_FIRST.index(n) if n in SLOW_FIRST else len(SLOW_FIRST))


SLOW_FIRST = ("KDE", "Neural net", "Random forest", "RBF SVM", "k-NN", "Gaussian mixture", "Linear SVM", "LDA",
              "QDA", "Gaussian naive Bayes", "Logistic regression", "Decision tree")
"""Model kinds from the slowest fit-and-grid to the fastest (measured at the defaults on the default moons: KDE
~0.2 s, the net 0.05–0.3 s by its width and the data, a forest 0.1 s, ... a tree 6 ms)."""


RESULT_COLUMNS = ("model", "train accuracy", "test accuracy", "test log-loss", "fit time (s)")


def results_table(panels: Sequence[Panel]) -> pd.DataFrame:
    """One row per model: train/test accuracy, test log-loss, fit time (empty cells for a model that failed)."""
    rows = []
    for p in panels:
        s = p.scores or Scores(None, None, None)
        rows.append((p.name, s.train_accuracy, s.test_accuracy, s.test_log_loss, None if p.error else p.fit_seconds))
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS)).astype({c: float for c in RESULT_COLUMNS[1:]})

