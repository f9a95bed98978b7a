"""How each classifier decides, written out with the fitted numbers at one point.

Every function takes a model fitted by ``core.boundary.models`` (a scikit-learn estimator or pipeline) and
computes its decision by hand from the learned attributes: the SVMs' f(x) = Σ αᵢyᵢK(xᵢ, x) + b and
margin, a tree's Gini impurity at its root split, a forest's average of its trees, k-NN's vote, LDA's
and QDA's discriminants δₖ(x), logistic regression's σ(wᵀφ(x) + b). Each result carries the same number
from the library (``decision_function``, ``predict_proba``, ``tree_.impurity``) beside it; the unit tests
hold the two to a stated tolerance. ``worked`` turns a panel into LaTeX lines for the page.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit, softmax

from core.boundary import data as ds
from core.boundary import models as clf
from core.memo import Memo
from core.numbers import number

WORKED_MODELS = ("LDA", "QDA", "Logistic regression", "Linear SVM", "RBF SVM", "Decision tree", "Random forest",
                 "k-NN")
"""The models whose decision is written out with numbers."""


# --------------------------------------------------------------------------------------------------
# The point the formulas are evaluated at
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """The point x every formula is evaluated at, and how it was chosen."""

    x: np.ndarray  # (2,)
    label: int
    source: str  # "the first test point" or "the first training point"


def shown_point(data: ds.Dataset) -> Point:
    """The first test point (the first training point when there is no test set)."""
    if len(data.y_test):
        return Point(np.asarray(data.X_test[0], dtype=float), int(data.y_test[0]), "the first test point")
    return Point(np.asarray(data.X_train[0], dtype=float), int(data.y_train[0]), "the first training point")


def _sign_labels(y: np.ndarray, positive: Any) -> np.ndarray:
    """±1 labels: +1 for ``positive``, -1 for the rest."""
    return np.where(y == positive, 1.0, -1.0)


# --------------------------------------------------------------------------------------------------
# SVMs
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinearSVMWorked:
    """f(x) = wᵀz + b on standardised z, its margin 2/‖w‖ and the training set's mean hinge loss."""

    positive: Any  # the class with y = +1 (binary: class 1; K classes: the winning class against the rest)
    w: np.ndarray
    b: float
    z: np.ndarray  # the standardised point
    f: float  # by hand
    f_library: float  # LinearSVC.decision_function
    margin: float  # 2 / ‖w‖
    hinge: float  # mean over the training set of max(0, 1 - y f(x))
    inside_margin: int  # training points with y f(x) < 1
    C: float


def _svm_parts(pipe: Any) -> tuple[Any, Any]:
    """(the scaler, the SVM fitted on all the training data) from make_pipeline(scaler, Calibrated(SVM))."""
    return pipe[0], pipe[-1].calibrated_classifiers_[0].estimator


def linear_svm(pipe: Any, X_train: np.ndarray, y_train: np.ndarray, x: np.ndarray) -> LinearSVMWorked:
    """The linear SVM's score at x, margin and mean hinge loss; with K classes its one-vs-rest line of the winner."""
    scaler, svm = _svm_parts(pipe)
    z = scaler.transform(x[None])[0]
    Z = scaler.transform(X_train)
    lib = svm.decision_function(z[None])[0]
    if np.ndim(lib) == 0:  # two classes: one line, f > 0 means class 1
        k, positive, f_lib = 0, svm.classes_[1], float(lib)
    else:  # one line per class against the rest; the largest score wins
        k = int(np.argmax(lib))
        positive, f_lib = svm.classes_[k], float(lib[k])
    w, b = svm.coef_[k], float(svm.intercept_[k])
    f_train = Z @ w + b
    yf = _sign_labels(y_train, positive) * f_train
    norm = float(np.linalg.norm(w))
    return LinearSVMWorked(positive, w, b, z, float(z @ w + b), f_lib, 2.0 / norm if norm > 0 else math.inf,
                           float(np.mean(np.maximum(0.0, 1.0 - yf))), int(np.sum(yf < 1.0)), float(svm.C))


@dataclass(frozen=True)
class RBFSVMWorked:
    """f(x) = Σᵢ αᵢyᵢ K(xᵢ, x) + b over the support vectors, K(x, x') = exp(-γ‖x - x'‖²), on standardised z."""

    positive: Any  # f > 0 means this class
    negative: Any
    gamma: float
    C: float
    z: np.ndarray
    support: np.ndarray  # (m, 2) the support vectors of the two classes
    coef: np.ndarray  # (m,) αᵢyᵢ
    b: float
    kernel: np.ndarray  # (m,) K(xᵢ, z)
    f: float
    f_library: float  # SVC.decision_function (pair (0, 1) of its one-vs-one scores with K classes)
    nearest: int  # index (into support) of the support vector nearest to z
    margin: float  # 2/‖w‖ in the kernel's feature space, ‖w‖² = Σᵢⱼ αᵢyᵢ αⱼyⱼ K(xᵢ, xⱼ)
    hinge: float  # mean over the two classes' training points of max(0, 1 - y f(x))


def rbf_svm(pipe: Any, X_train: np.ndarray, y_train: np.ndarray, x: np.ndarray) -> RBFSVMWorked:
    """The RBF SVM's score at x from its support vectors; with K classes, its classifier of class 0 against 1."""
    scaler, svc = _svm_parts(pipe)
    z = scaler.transform(x[None])[0]
    classes, starts = svc.classes_, np.concatenate([[0], np.cumsum(svc.n_support_)])
    i, j = 0, 1
    rows_i, rows_j = slice(starts[i], starts[i + 1]), slice(starts[j], starts[j + 1])
    support = np.vstack([svc.support_vectors_[rows_i], svc.support_vectors_[rows_j]])
    # libsvm's one-vs-one layout: class i's coefficients for the pair (i, j) sit in row j - 1, class j's in row i
    coef = np.concatenate([svc.dual_coef_[j - 1, rows_i], svc.dual_coef_[i, rows_j]])
    b = float(svc.intercept_[0])
    gamma = float(svc._gamma)
    kernel = np.exp(-gamma * np.sum((support - z) ** 2, axis=1))
    f = float(coef @ kernel + b)
    if len(classes) == 2:  # scikit-learn turns the binary score around: f > 0 means classes_[1]
        positive, negative = classes[1], classes[0]
        f_lib = float(svc.decision_function(z[None])[0])
    else:  # libsvm's pair score: f > 0 means class i
        positive, negative = classes[i], classes[j]
        ovo = copy.copy(svc)
        ovo.decision_function_shape = "ovo"
        f_lib = float(ovo.decision_function(z[None])[0, 0])
    gram = np.exp(-gamma * np.sum((support[:, None] - support[None]) ** 2, axis=2))
    margin = 2.0 / math.sqrt(max(float(coef @ gram @ coef), np.finfo(float).tiny))
    pair = np.isin(y_train, (positive, negative))
    Zp = scaler.transform(X_train[pair])
    f_train = np.exp(-gamma * np.sum((Zp[:, None] - support[None]) ** 2, axis=2)) @ coef + b
    hinge = float(np.mean(np.maximum(0.0, 1.0 - _sign_labels(y_train[pair], positive) * f_train)))
    nearest = int(np.argmax(kernel))
    return RBFSVMWorked(positive, negative, gamma, float(svc.C), z, support, coef, b, kernel, f, f_lib, nearest,
                        margin, hinge)


# --------------------------------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------------------------------
def impurity(counts: np.ndarray, criterion: str = "gini") -> float:
    """Gini 1 - Σₖ pₖ² or entropy -Σₖ pₖ log₂ pₖ of a node with these class counts."""
    counts = np.asarray(counts, dtype=float)
    p = counts / counts.sum()
    if criterion == "gini":
        return float(1.0 - np.sum(p**2))
    p = p[p > 0]
    return float(-np.sum(p * np.log2(p)))


@dataclass(frozen=True)
class RootSplit:
    """The root's question x_f ≤ θ, the class counts at the root and its two children, their impurities."""

    feature: int
    threshold: float
    criterion: str
    counts: np.ndarray  # (3, K) root, left (x_f ≤ θ), right, counted from the training data
    impurities: np.ndarray  # (3,) by hand
    decrease: float  # I(root) - nL/n I(left) - nR/n I(right)
    goes_left: bool  # where the shown point goes


def root_split(tree: Any, X_train: np.ndarray, y_train: np.ndarray, x: np.ndarray) -> RootSplit | None:
    """The tree's first split counted by hand from the training data (None when the root is a leaf)."""
    t = tree.tree_
    if t.children_left[0] < 0:
        return None
    f, theta = int(t.feature[0]), float(t.threshold[0])
    left = X_train[:, f] <= theta
    counts = np.array([[np.sum((y_train == c) & m) for c in tree.classes_]
                       for m in (np.ones_like(left), left, ~left)], dtype=float)
    imp = np.array([impurity(c, tree.criterion) for c in counts])
    n = counts.sum(axis=1)
    decrease = imp[0] - n[1] / n[0] * imp[1] - n[2] / n[0] * imp[2]
    return RootSplit(f, theta, tree.criterion, counts, imp, float(decrease), bool(x[f] <= theta))


@dataclass(frozen=True)
class ForestWorked:
    """P(y | x) = (1/T) Σₜ Pₜ(y | x): every tree's leaf frequencies at x and their average."""

    per_tree: np.ndarray  # (T, K)
    average: np.ndarray  # (K,) by hand
    library: np.ndarray  # (K,) predict_proba


def forest(model: Any, x: np.ndarray) -> ForestWorked:
    """The forest's probability at x as the mean of its trees' probabilities."""
    per_tree = np.array([t.predict_proba(x[None])[0] for t in model.estimators_])
    return ForestWorked(per_tree, per_tree.mean(axis=0), model.predict_proba(x[None])[0])


# --------------------------------------------------------------------------------------------------
# k-NN
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KNNWorked:
    """The k nearest training points to x (standardised distance) and their vote P(y = c | x) = #{c}/k."""

    distances: np.ndarray  # (k,)
    labels: np.ndarray  # (k,)
    vote: np.ndarray  # (K,) by hand
    library: np.ndarray  # (K,) predict_proba


def knn(pipe: Any, y_train: np.ndarray, x: np.ndarray) -> KNNWorked:
    """k-NN's vote at x from its neighbours' labels."""
    scaler, nn = pipe[0], pipe[-1]
    dist, idx = nn.kneighbors(scaler.transform(x[None]))
    labels = y_train[idx[0]]
    vote = np.array([np.mean(labels == c) for c in nn.classes_])
    return KNNWorked(dist[0], labels, vote, pipe.predict_proba(x[None])[0])


# --------------------------------------------------------------------------------------------------
# LDA and QDA
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DiscriminantWorked:
    """δₖ(x) per class, the posterior softmax(δ) and the library's numbers at the fitted prior."""

    delta: np.ndarray  # (K,) by hand, with ``prior``
    prior: np.ndarray
    posterior: np.ndarray  # softmax(δ)
    library_decision: np.ndarray  # scikit-learn decision_function at its own prior: δ₁ - δ₀, or δₖ - mean (``_decision``)
    hand_decision: np.ndarray  # the same from the hand δ at the fitted prior
    library_posterior: np.ndarray  # the panel model's P(y | x) under ``prior``


def _centred(scores: Any) -> np.ndarray:
    """scikit-learn's decision_function row as ``_decision`` gives it: one number (2 classes) or centred."""
    scores = np.atleast_1d(np.asarray(scores, dtype=float))
    return scores if len(scores) == 1 else scores - scores.mean()


def _decision(delta: np.ndarray) -> np.ndarray:
    """δ₁ - δ₀ with two classes; with more, δₖ less their mean (scikit-learn's LDA shifts every δₖ by one
    constant, which the posterior softmax(δ) does not see)."""
    delta = np.asarray(delta, dtype=float)
    return np.array([delta[1] - delta[0]]) if len(delta) == 2 else delta - delta.mean()


def lda(model: clf.LDAModel, x: np.ndarray, prior: np.ndarray | None = None) -> DiscriminantWorked:
    """δₖ(x) = xᵀΣ⁻¹μₖ - ½ μₖᵀΣ⁻¹μₖ + ln πₖ (one pooled Σ: linear in x)."""
    est, S_inv = model.estimator_, np.linalg.inv(model.covariance_)
    prior = model.prior_ if prior is None else np.asarray(prior, dtype=float)

    def delta(pi: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.array([x @ S_inv @ mu - 0.5 * mu @ S_inv @ mu for mu in est.means_]) + np.log(pi)
    d = delta(prior)
    return DiscriminantWorked(d, prior, softmax(d), _centred(est.decision_function(x[None])[0]),
                              _decision(delta(model.prior_)), model.predict_proba(x[None], prior)[0])


def qda(model: clf.QDAModel, x: np.ndarray, prior: np.ndarray | None = None) -> DiscriminantWorked:
    """δₖ(x) = -½ ln|Σₖ| - ½ (x - μₖ)ᵀΣₖ⁻¹(x - μₖ) + ln πₖ (a covariance per class: quadratic in x)."""
    est = model.estimator_
    prior = model.prior_ if prior is None else np.asarray(prior, dtype=float)
    quad = []
    for k, mu in enumerate(est.means_):
        S = model.class_covariance(k)
        r = x - mu
        quad.append(-0.5 * np.linalg.slogdet(S)[1] - 0.5 * r @ np.linalg.solve(S, r))
    quad = np.array(quad)
    with np.errstate(divide="ignore"):
        d, d_fitted = quad + np.log(prior), quad + np.log(model.prior_)
    return DiscriminantWorked(d, prior, softmax(d), _centred(est.decision_function(x[None])[0]),
                              _decision(d_fitted), model.predict_proba(x[None], prior)[0])


# --------------------------------------------------------------------------------------------------
# Logistic regression
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogisticWorked:
    """P(y | x) = σ(wᵀφ(x) + b) (softmax of Wφ(x) + b with K classes), φ the pipeline's features."""

    phi: np.ndarray  # (p,) φ(x)
    W: np.ndarray  # (1 or K, p)
    b: np.ndarray  # (1 or K,)
    logits: np.ndarray  # W φ + b
    proba: np.ndarray  # (K,) by hand
    library: np.ndarray  # (K,) predict_proba


def logistic(pipe: Any, x: np.ndarray) -> LogisticWorked:
    """Logistic regression's probability at x from its fitted weights."""
    phi = pipe[:-1].transform(x[None])[0]
    lr = pipe[-1]
    logits = lr.coef_ @ phi + lr.intercept_
    proba = np.array([1.0 - expit(logits[0]), expit(logits[0])]) if len(logits) == 1 else softmax(logits)
    return LogisticWorked(phi, lr.coef_, lr.intercept_, logits, proba, pipe.predict_proba(x[None])[0])


# --------------------------------------------------------------------------------------------------
# LaTeX for the page
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Worked:
    """One model's decision written out: notes (Markdown) and LaTeX lines, and the library check."""

    model: str
    notes: tuple[str, ...]
    lines: tuple[str, ...]
    check: str  # "by hand … · scikit-learn … (…)"


def num(v: float, digits: int = 3) -> str:
    """A number for LaTeX, never nan or inf."""
    return number(v, digits, undefined=r"\text{undefined}")


def _vec(v: np.ndarray, digits: int = 3, limit: int = 6) -> str:
    parts = [num(a, digits) for a in v[:limit]] + ([r"\dots"] if len(v) > limit else [])
    return r"\left(" + ",\\ ".join(parts) + r"\right)"


def _cls(names: Sequence[str], c: Any) -> str:
    return r"\text{" + ds.class_name(names, int(c)).replace("_", r"\_") + "}"


def _p_list(p: np.ndarray, classes: np.ndarray, names: Sequence[str], sym: str = "P") -> str:
    return ",\\ ".join(rf"{sym}(y{{=}}{_cls(names, c)}) = {num(v)}" for c, v in zip(classes, p, strict=True))


def _close(a: Any, b: Any) -> str:
    return "agree" if np.allclose(a, b, rtol=1e-6, atol=1e-8) else "differ"


def worked(panel: clf.Panel, data: ds.Dataset, point: Point | None = None) -> Worked | None:
    """The written-out decision of a fitted panel's model at ``point`` (default: ``shown_point``); None when the
    model is not one of ``WORKED_MODELS`` or did not fit."""
    if panel.error or panel.model is None or panel.name not in WORKED_MODELS:
        return None
    point = point or shown_point(data)
    x, names, m = point.x, data.class_names, panel.model
    where = rf"x = ({x[0]:.3f},\ {x[1]:.3f})"
    at = f"At {point.source}, x = ({x[0]:.3f}, {x[1]:.3f}) (true class {ds.class_name(names, point.label)})."
    return _BUILDERS[panel.name](panel, data, x, names, m, where, at)


def _lda_qda(panel, data, x, names, m, where, at) -> Worked:
    fn = lda if panel.name == "LDA" else qda
    w = fn(m, x, panel.prior)
    classes = m.classes_
    if panel.name == "LDA":
        formula = (r"\delta_k(x) = x^\top \Sigma^{-1} \mu_k - \tfrac12 \mu_k^\top \Sigma^{-1} \mu_k + \ln \pi_k"
                   r"\quad\text{(one pooled } \Sigma\text{: linear in } x)")
    else:
        formula = (r"\delta_k(x) = -\tfrac12 \ln|\Sigma_k| - \tfrac12 (x - \mu_k)^\top \Sigma_k^{-1} (x - \mu_k)"
                   r" + \ln \pi_k\quad\text{(a } \Sigma_k \text{ per class: quadratic in } x)")
    values = ",\\ ".join(rf"\delta_{{{_cls(names, c)}}}(x) = {num(d)}"
                         for c, d in zip(classes, w.delta, strict=True))
    priors = ",\\ ".join(rf"\pi_{{{_cls(names, c)}}} = {num(p)}" for c, p in zip(classes, w.prior, strict=True))
    post = (r"P(y{=}k \mid x) = \frac{e^{\delta_k(x)}}{\sum_j e^{\delta_j(x)}}:\ "
            + _p_list(w.posterior, classes, names))
    lib = ("δ₁ − δ₀" if len(classes) == 2 else "δₖ less their mean")
    check = (f"scikit-learn's `decision_function(x)` ({lib}, at the fitted prior) = "
             f"{', '.join(f'{v:.4f}' for v in w.library_decision)}; by hand "
             f"{', '.join(f'{v:.4f}' for v in w.hand_decision)} ({_close(w.library_decision, w.hand_decision)}). "
             f"The panel's P(y | x) at x: {', '.join(f'{v:.4f}' for v in w.library_posterior)} "
             f"({_close(w.library_posterior, w.posterior)} with softmax(δ)).")
    means = ",\\ ".join(rf"\mu_{{{_cls(names, c)}}} = {_vec(mu)}" for c, mu in zip(classes, m.estimator_.means_,
                                                                                  strict=True))
    if panel.name == "LDA":
        S = m.covariance_
        spread = (rf"\Sigma = \begin{{pmatrix}} {num(S[0, 0])} & {num(S[0, 1])} \\ {num(S[1, 0])} & {num(S[1, 1])}"
                  r" \end{pmatrix}")
    else:
        spread = ",\\ ".join(rf"\ln|\Sigma_{{{_cls(names, c)}}}| = {num(np.linalg.slogdet(m.class_covariance(k))[1])}"
                              for k, c in enumerate(classes))
    return Worked(panel.name, (at, "The class with the largest discriminant wins."),
                  (formula, means, spread, rf"{where}:\quad {priors}", values, post), check)


def _logistic(panel, data, x, names, m, where, at) -> Worked:
    w = logistic(m, x)
    classes = clf.classes_of(m)
    poly = len(m.steps) > 2  # scaler, polynomial features, scaler, model
    phi_note = ("φ(x) = z, x standardised (z = (x − mean) / sd of the training data)" if not poly else
                f"φ(x): the {len(w.phi)} polynomial features of the standardised x, standardised again")
    if len(w.b) == 1:
        terms = " + ".join(f"({num(a)})({num(p)})" for a, p in zip(w.W[0][:4], w.phi[:4], strict=True))
        terms += r" + \dots" if len(w.phi) > 4 else ""
        lines = (r"P(y{=}1 \mid x) = \sigma\!\left(w^\top \phi(x) + b\right) = \frac{1}{1 + e^{-(w^\top \phi(x) + b)}}",
                 rf"\phi(x) = {_vec(w.phi)},\quad w = {_vec(w.W[0])},\quad b = {num(w.b[0])}",
                 rf"w^\top\phi + b = {terms} + ({num(w.b[0])}) = {num(w.logits[0])},\quad"
                 rf"\sigma({num(w.logits[0])}) = {num(w.proba[1])}")
    else:
        lines = (r"P(y{=}k \mid x) = \frac{e^{w_k^\top \phi(x) + b_k}}{\sum_j e^{w_j^\top \phi(x) + b_j}}",
                 rf"\phi(x) = {_vec(w.phi)},\quad w_k^\top\phi + b_k:\ "
                 + ",\\ ".join(rf"k{{=}}{_cls(names, c)}{{:}}\ {num(v)}" for c, v in zip(classes, w.logits, strict=True)),
                 r"\text{softmax: }" + _p_list(w.proba, classes, names))
    check = (f"scikit-learn's `predict_proba(x)` = {', '.join(f'{v:.4f}' for v in w.library)}; by hand "
             f"{', '.join(f'{v:.4f}' for v in w.proba)} ({_close(w.library, w.proba)}).")
    return Worked(panel.name, (at, phi_note + ". The weights are the fitted `coef_` and `intercept_`."), lines, check)


def _linear_svm(panel, data, x, names, m, where, at) -> Worked:
    w = linear_svm(m, data.X_train, data.y_train, x)
    k_note = ("" if data.n_classes == 2 or len(clf.classes_of(m)) == 2 else
              f" With more than two classes there is one line per class against the rest; shown: the winning "
              f"class {ds.class_name(names, int(w.positive))} (y = +1) against the others.")
    lines = (r"f(x) = w^\top z + b,\quad \text{margin} = \frac{2}{\lVert w \rVert},\quad"
             r"\text{hinge: } \max(0,\ 1 - y\,f(x)),\ y = \pm 1",
             rf"w = {_vec(w.w)},\ b = {num(w.b)}:\quad f(x) = ({num(w.w[0])})({num(w.z[0])})"
             rf" + ({num(w.w[1])})({num(w.z[1])}) + ({num(w.b)}) = {num(w.f)}",
             (rf"\frac{{2}}{{\lVert w \rVert}} = \frac{{2}}{{{num(float(np.linalg.norm(w.w)))}}} = {num(w.margin)},\quad"
              if math.isfinite(w.margin) else r"\lVert w \rVert = 0\text{: no line, an unbounded margin},\quad")
             + rf"\frac{{1}}{{n}}\sum_i \max(0,\ 1 - y_i f(x_i)) = {num(w.hinge)}\quad(C = {w.C:g})")
    notes = (at, f"z is x standardised; f > 0 means class {ds.class_name(names, int(w.positive))}. "
             f"{w.inside_margin} of {len(data.y_train)} training points lie inside the margin or on the wrong side "
             "(y f(x) < 1). LinearSVC minimises ½‖w‖² + C Σᵢ max(0, 1 − yᵢ f(xᵢ))², the squared hinge (its "
             "default): small C, a wide margin and more points inside it. The panel's colour comes from f through "
             "a sigmoid fitted by cross-validation (CalibratedClassifierCV)." + k_note)
    check = f"LinearSVC's `decision_function(x)` = {w.f_library:.4f}; by hand {w.f:.4f} ({_close(w.f_library, w.f)})."
    return Worked(panel.name, notes, lines, check)


def _rbf_svm(panel, data, x, names, m, where, at) -> Worked:
    w = rbf_svm(m, data.X_train, data.y_train, x)
    j = w.nearest
    sv = w.support[j]
    pair = ("" if len(clf.classes_of(m)) == 2 else
            f" With more than two classes the SVM trains one such classifier per pair of classes and lets them "
            f"vote; shown: class {ds.class_name(names, int(w.positive))} (f > 0) against class "
            f"{ds.class_name(names, int(w.negative))}.")
    lines = (r"f(x) = \sum_{i \in \mathrm{SV}} \alpha_i y_i\, K(x_i, x) + b,\qquad K(x, x') = e^{-\gamma \lVert x - x' \rVert^2}",
             rf"K(x_{{{j}}}, z) = \exp\!\left(-{w.gamma:g} \cdot \lVert {_vec(sv)} - {_vec(w.z)} \rVert^2\right)"
             rf" = \exp(-{w.gamma:g} \cdot {num(float(np.sum((sv - w.z) ** 2)))}) = {num(w.kernel[j])}",
             rf"f(x) = \underbrace{{{num(w.coef[j])} \cdot {num(w.kernel[j])}}}_{{i = {j}}}"
             rf" + \dots\ (\text{{{len(w.coef)} support vectors}}) + ({num(w.b)}) = {num(w.f)}",
             rf"\text{{margin }} \frac{{2}}{{\lVert w \rVert}} = {num(w.margin)},\quad \lVert w \rVert^2 = \sum_{{i,j}}"
             r" \alpha_i y_i\, \alpha_j y_j\, K(x_i, x_j)",
             rf"\text{{hinge: }} \frac{{1}}{{n}}\sum_i \max(0,\ 1 - y_i f(x_i)) = {num(w.hinge)}\quad(C = {w.C:g})")
    notes = (at, f"z is x standardised; support vector {j} (x_{j} in the formula) is the one nearest to it. "
             "f > 0 means class "
             f"{ds.class_name(names, int(w.positive))}. SVC minimises ½‖w‖² + C Σᵢ max(0, 1 − yᵢ f(xᵢ)); only "
             "the support vectors (αᵢ > 0) enter f. Large γ: each kernel is narrow, the boundary wiggles. The "
             "panel's colour comes from f through a sigmoid fitted by cross-validation (CalibratedClassifierCV)."
             + pair)
    check = f"SVC's `decision_function(x)` = {w.f_library:.4f}; by hand {w.f:.4f} ({_close(w.f_library, w.f)})."
    return Worked(panel.name, notes, lines, check)


def _tree(panel, data, x, names, m, where, at) -> Worked:
    s = root_split(m, data.X_train, data.y_train, x)
    if s is None:
        return Worked(panel.name, (at, "The tree is a single leaf: no split lowered the impurity."), (), "")
    classes = m.classes_
    name = "Gini" if s.criterion == "gini" else "entropy"
    formula = (r"G = 1 - \sum_k p_k^2" if s.criterion == "gini" else r"H = -\sum_k p_k \log_2 p_k")
    sym = "G" if s.criterion == "gini" else "H"
    n = s.counts.sum(axis=1)

    def node(i: int, label: str) -> str:
        counts = ",\\ ".join(f"{int(c)}" for c in s.counts[i])
        return rf"{sym}_{{\text{{{label}}}}}({counts}) = {num(s.impurities[i])}"
    t = m.tree_
    lines = (rf"\text{{split at the root: }} x_{s.feature + 1} \le {s.threshold:.3f},\qquad {formula}",
             rf"{node(0, 'root')},\quad {node(1, 'left')},\quad {node(2, 'right')}",
             rf"\Delta = {num(s.impurities[0])} - \tfrac{{{int(n[1])}}}{{{int(n[0])}}}\,{num(s.impurities[1])}"
             rf" - \tfrac{{{int(n[2])}}}{{{int(n[0])}}}\,{num(s.impurities[2])} = {num(s.decrease)}")
    counts_order = ", ".join(ds.class_name(names, int(c)) for c in classes)
    notes = (f"Counts are training points per class ({counts_order}); left: x{s.feature + 1} ≤ θ. The tree picks, "
             f"among all features and thresholds, the split with the largest decrease Δ of the {name} impurity, "
             "then does the same in each child.",
             at + f" It goes {'left' if s.goes_left else 'right'}; its leaf's class frequencies are P(y | x) = "
             + ", ".join(f"{v:.3f}" for v in m.predict_proba(x[None])[0]) + ".")
    lib = t.impurity[[0, t.children_left[0], t.children_right[0]]]
    check = (f"scikit-learn's `tree_.impurity` at root, left, right = {', '.join(f'{v:.4f}' for v in lib)}; by hand "
             f"{', '.join(f'{v:.4f}' for v in s.impurities)} ({_close(lib, s.impurities)}).")
    return Worked(panel.name, notes, lines, check)


def _forest(panel, data, x, names, m, where, at) -> Worked:
    w = forest(m, x)
    classes = m.classes_
    k = 1 if len(classes) == 2 else int(np.argmax(w.average))
    c = _cls(names, classes[k])
    T, shown = len(w.per_tree), min(5, len(w.per_tree))
    first = " + ".join(num(p) for p in w.per_tree[:shown, k]) + (r" + \dots" if T > shown else "")
    lines = (r"P(y \mid x) = \frac{1}{T} \sum_{t=1}^{T} P_t(y \mid x)\quad (P_t\text{: tree } t\text{'s leaf frequencies})",
             rf"P(y{{=}}{c} \mid x) = \frac{{1}}{{{T}}}\left({first}\right) = {num(w.average[k])}")
    notes = (at, f"The first {shown} of the {T} trees' P({ds.class_name(names, int(classes[k]))} | x) and the "
             "average over all of them. Each tree grew on a bootstrap sample with random features per split, so they "
             "disagree; the average is smoother than any one tree.")
    check = (f"scikit-learn's `predict_proba(x)` = {', '.join(f'{v:.4f}' for v in w.library)}; by hand "
             f"{', '.join(f'{v:.4f}' for v in w.average)} ({_close(w.library, w.average)}).")
    return Worked(panel.name, notes, lines, check)


def _knn(panel, data, x, names, m, where, at) -> Worked:
    w = knn(m, data.y_train, x)
    classes = m[-1].classes_
    k = len(w.labels)
    counts = ",\\ ".join(rf"\#{_cls(names, c)} = {int(np.sum(w.labels == c))}" for c in classes)
    lines = (r"P(y{=}c \mid x) = \frac{1}{k} \sum_{i \in N_k(x)} [y_i = c]",
             rf"k = {k}:\quad {counts}\quad\Rightarrow\quad " + _p_list(w.vote, classes, names))
    shown = ", ".join(f"{ds.class_name(names, int(lab))} ({d:.2f})" for lab, d in zip(w.labels[:15], w.distances[:15],
                                                                                        strict=True))
    notes = (at, f"The {k} nearest training points (standardised distance in brackets), nearest first: {shown}"
             + (", …" if k > 15 else "") + ".")
    check = (f"scikit-learn's `predict_proba(x)` = {', '.join(f'{v:.4f}' for v in w.library)}; by hand "
             f"{', '.join(f'{v:.4f}' for v in w.vote)} ({_close(w.library, w.vote)}).")
    return Worked(panel.name, notes, lines, check)


_BUILDERS = {"LDA": _lda_qda, "QDA": _lda_qda, "Logistic regression": _logistic, "Linear SVM": _linear_svm,
             "RBF SVM": _rbf_svm, "Decision tree": _tree, "Random forest": _forest, "k-NN": _knn}


_WORKED = Memo(96)


NONE_WRITTEN = ("Choose LDA, QDA, logistic regression, an SVM, a tree, a forest or k-NN above: each gets its "
                "decision written out here, with the fitted numbers.")
"""What the section says when no chosen model has its decision written out."""


def how_each_decides(panels: Sequence[clf.Panel], data: ds.Dataset) -> tuple[list[Worked], str]:
    """The page's "How each model decides": ``worked_all``, and the line above it (where the formulas are evaluated,
    which models have none), or ``NONE_WRITTEN`` when there is nothing to write out."""
    written = worked_all(panels, data)
    if not written:
        return written, NONE_WRITTEN
    return written, (f"Every formula with the fitted numbers, at {shown_point(data).source} (the first ✕ of the test "
                     "set; the first training point when there is none), beside the same number from scikit-learn. "
                     "Gaussian naive Bayes is worked by hand on the Bayes page; the mixture, the KDE and the neural "
                     "net have no entry here.")


def worked_all(panels: Sequence[clf.Panel], data: ds.Dataset) -> list[Worked]:
    """``worked`` for every fitted panel that has a written-out formula, in the panels' order (remembered per
    fitted panel, so a rerun that changes nothing computes nothing)."""
    if not len(data.y_all):
        return []
    point, key = shown_point(data), data.fingerprint()
    out = (_WORKED(key, lambda p=p: worked(p, data, point), owner=p) for p in panels)
    return [w for w in out if w is not None]

