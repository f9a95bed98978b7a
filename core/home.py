"""The home page's side-by-side picture: one small 2-D two-class dataset, both model families.

Left, a generative model: one Gaussian per class, P(x | y) = N(x; μ_y, Σ_y), and P(y) from counts.
Because it models the joint P(x, y) = P(y) P(x | y), it can *sample* new labelled points.
Right, a discriminative model: logistic regression P(y = 1 | x) = σ(wᵀx + b), which only separates.

Both fits are written out in numpy here (a mean and a covariance per class; Newton's method for the
logistic weights), and tested against scikit-learn's QDA and LogisticRegression: importing
scikit-learn costs about two seconds of CPU, and the home page is the one page that must open fast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core.style import CLASS_COLORS, PROB_COLORSCALE, base_layout


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), computed as exp(−ln(1 + e^(−z))) so no z overflows (tested against
    scipy.special.expit; written out here so the home page does not import scipy, ~0.2 s at start-up)."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


@dataclass(frozen=True)
class HomeData:
    """The toy data: two elongated Gaussian clouds."""

    n_per_class: int = 60
    seed: int = 7


def make_home_data(spec: HomeData = HomeData()) -> tuple[np.ndarray, np.ndarray]:
    """X (n, 2) and y (n,) from two Gaussians with different shapes."""
    rng = np.random.default_rng(spec.seed)
    X0 = rng.multivariate_normal([-1.2, -0.6], [[0.8, 0.45], [0.45, 0.7]], spec.n_per_class)
    X1 = rng.multivariate_normal([1.2, 0.8], [[0.6, -0.25], [-0.25, 0.9]], spec.n_per_class)
    X = np.vstack([X0, X1])
    y = np.repeat([0, 1], spec.n_per_class)
    return X, y


@dataclass(frozen=True)
class GaussianClasses:
    """P(y) and one Gaussian P(x | y) = N(x; μ_y, Σ_y) per class (what QDA fits)."""

    classes_: np.ndarray  # (K,)
    priors_: np.ndarray  # (K,)
    means_: np.ndarray  # (K, D)
    covariance_: np.ndarray  # (K, D, D), the maximum-likelihood (1/n) estimate, as scikit-learn


@dataclass(frozen=True)
class Logistic:
    """P(y = 1 | x) = σ(wᵀx + b)."""

    coef_: np.ndarray  # (D,)
    intercept_: float

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Rows (P(y = 0 | x), P(y = 1 | x))."""
        p1 = sigmoid(X @ self.coef_ + self.intercept_)
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The more probable class."""
        return (X @ self.coef_ + self.intercept_ > 0).astype(int)


def fit_generative(X: np.ndarray, y: np.ndarray) -> GaussianClasses:
    """Maximum likelihood: P(y) = n_y / n, μ_y = class mean, Σ_y = class covariance."""
    classes = np.unique(y)
    priors = np.array([np.mean(y == c) for c in classes])
    means = np.array([X[y == c].mean(axis=0) for c in classes])
    covs = np.array([np.cov(X[y == c].T, bias=True) for c in classes])
    return GaussianClasses(classes, priors, means, covs)


def fit_discriminative(X: np.ndarray, y: np.ndarray, *, C: float = 1.0, iterations: int = 50) -> Logistic:
    """L2-penalised logistic regression by Newton's method: min Σ BCE + ||w||² / (2C) (b not penalised).

    The same objective as scikit-learn's ``LogisticRegression(C=C)``.
    """
    n, d = X.shape
    A = np.column_stack([X, np.ones(n)])  # (n, d + 1)
    theta = np.zeros(d + 1)
    penalty = np.diag(np.r_[np.full(d, 1.0 / C), 0.0])
    for _ in range(iterations):
        p = sigmoid(A @ theta)
        grad = A.T @ (p - y) + penalty @ theta
        hess = (A * (p * (1 - p))[:, None]).T @ A + penalty
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.abs(step).max() < 1e-12:
            break
    return Logistic(theta[:d], float(theta[d]))


def sample_joint(model: GaussianClasses, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw (x, y) from P(y) P(x | y): first a class from the prior, then x from its Gaussian."""
    k = rng.choice(len(model.classes_), size=n, p=model.priors_)
    X = np.empty((n, model.means_.shape[1]))
    for c in range(len(model.classes_)):
        idx = np.flatnonzero(k == c)
        X[idx] = rng.multivariate_normal(model.means_[c], model.covariance_[c], size=len(idx))
    return X, model.classes_[k]


def grid(X: np.ndarray, n: int = 80, pad: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An n×n grid covering the data with a margin: (xs, ys, points of shape (n*n, 2))."""
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([xx.ravel(), yy.ravel()])


def class_density(model: GaussianClasses, points: np.ndarray, k: int) -> np.ndarray:
    """P(x | y = k) = exp(-½ (x-μ)ᵀ Σ⁻¹ (x-μ)) / √((2π)^D |Σ|) at each point."""
    diff = points - model.means_[k]
    cov = model.covariance_[k]
    maha = np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff)
    return np.exp(-0.5 * maha) / np.sqrt((2 * np.pi) ** points.shape[1] * np.linalg.det(cov))


def generative_figure(X: np.ndarray, y: np.ndarray, model: GaussianClasses,
                      samples: tuple[np.ndarray, np.ndarray]) -> go.Figure:
    """P(x | y) contours per class, the training data faint, fresh samples from the model bold."""
    xs, ys, pts = grid(X)
    fig = go.Figure()
    for k, cls in enumerate(model.classes_):
        dens = class_density(model, pts, k).reshape(len(ys), len(xs))
        fig.add_trace(go.Contour(
            x=xs, y=ys, z=dens, showscale=False, ncontours=6, contours_coloring="lines",
            line=dict(width=2), colorscale=[[0, CLASS_COLORS[k]], [1, CLASS_COLORS[k]]],
            name=f"P(x | y={cls})", hoverinfo="skip", showlegend=True,
        ))
        mask = y == cls
        fig.add_trace(go.Scatter(x=X[mask, 0], y=X[mask, 1], mode="markers", name=f"data y={cls}",
                                 marker=dict(color=CLASS_COLORS[k], size=5, opacity=0.25)))
        smask = samples[1] == cls
        fig.add_trace(go.Scatter(x=samples[0][smask, 0], y=samples[0][smask, 1], mode="markers",
                                 name=f"sampled y={cls}",
                                 marker=dict(color=CLASS_COLORS[k], size=8, symbol="star",
                                             line=dict(width=0.5, color="#222"))))
    fig.update_xaxes(range=[xs[0], xs[-1]], title="x₁")
    fig.update_yaxes(range=[ys[0], ys[-1]], title="x₂")
    return base_layout(fig, height=420)


def discriminative_figure(X: np.ndarray, y: np.ndarray, model: Logistic) -> go.Figure:
    """P(y = 1 | x) as a heatmap with the decision boundary P = ½ and the data on top."""
    xs, ys, pts = grid(X)
    proba = model.predict_proba(pts)[:, 1].reshape(len(ys), len(xs))
    fig = go.Figure()
    fig.add_trace(go.Heatmap(x=xs, y=ys, z=proba, zmin=0, zmax=1, colorscale=PROB_COLORSCALE, opacity=0.75,
                             colorbar=dict(title="P(y=1|x)", thickness=12), hoverinfo="skip"))
    fig.add_trace(go.Contour(x=xs, y=ys, z=proba, showscale=False, contours=dict(start=0.5, end=0.5, size=1,
                             coloring="lines"), colorscale=[[0, "#111"], [1, "#111"]], line=dict(width=3),
                             name="boundary P = ½",
                             hoverinfo="skip", showlegend=True))
    for k, cls in enumerate(np.unique(y)):
        mask = y == cls
        fig.add_trace(go.Scatter(x=X[mask, 0], y=X[mask, 1], mode="markers", name=f"data y={cls}",
                                 marker=dict(color=CLASS_COLORS[k], size=6, line=dict(width=0.5, color="#222"))))
    fig.update_xaxes(range=[xs[0], xs[-1]], title="x₁")
    fig.update_yaxes(range=[ys[0], ys[-1]], title="x₂")
    return base_layout(fig, height=420)
