"""The home page's side-by-side picture: one small 2-D two-class dataset, both model families.

Left, a generative model: one Gaussian per class, P(x | y) = N(x; μ_y, Σ_y), and P(y) from counts.
Because it models the joint P(x, y) = P(y) P(x | y), it can *sample* new labelled points.
Right, a discriminative model: logistic regression P(y = 1 | x) = σ(wᵀx + b), which only separates.

Both fits are written out in numpy here (a mean and a covariance per class; Newton's method for the
logistic weights), and tested against scikit-learn's QDA and LogisticRegression: importing
scikit-learn costs about two seconds of CPU, and the home page is the one page that must open fast.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from core import raster
from core.style import (
    BOUNDARY_COLOR,
    DENSITY_LEVELS,
    NORMAL,
    POINT_OUTLINE,
    SAMPLE_OUTLINE,
    Style,
    light_prob_colorscale,
    mix_white,
    scales,
)


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


def canvas_for(xs: np.ndarray, ys: np.ndarray, width: int = 440) -> raster.Canvas:
    """A picture over the grid's ranges with one scale on both axes (a round Gaussian looks round)."""
    height = int(np.clip(round(width * (ys[-1] - ys[0]) / (xs[-1] - xs[0])), 0.5 * width, 1.25 * width))
    return raster.Canvas((float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1])), width, height)


def generative_picture(X: np.ndarray, y: np.ndarray, model: GaussianClasses,
                       samples: tuple[np.ndarray, np.ndarray], style: Style = NORMAL) -> tuple[np.ndarray, raster.Canvas]:
    """Each class's P(x | y) as rings in its colour, the training data faint, the sampled points as stars:
    a uint8 RGB picture (core.raster draws it) and the canvas it covers, in ``style``'s colours and sizes."""
    colors, (_, lw, mk) = style.class_colors, scales(style)
    xs, ys, pts = grid(X)
    canvas = canvas_for(xs, ys)
    picture = np.full((canvas.height, canvas.width, 3), 255.0, dtype=np.float32)
    for k in range(len(model.classes_)):
        dens = class_density(model, pts, k).reshape(len(ys), len(xs))
        rings = raster.line_coverage(canvas.resample(dens / dens.max()), DENSITY_LEVELS, 2.0 * lw)
        picture = raster.paint(picture, rings, colors[k])
    groups = [raster.Markers(canvas.to_pixels(X[y == cls]), "circle", mix_white(colors[k], 0.35), 6 * mk)
              for k, cls in enumerate(model.classes_)]
    groups += [raster.Markers(canvas.to_pixels(samples[0][samples[1] == cls]), "star", colors[k], 15 * mk,
                              SAMPLE_OUTLINE, 1.2 * lw) for k, cls in enumerate(model.classes_)]
    return raster.draw_markers(picture, groups), canvas


def discriminative_picture(X: np.ndarray, y: np.ndarray, model: Logistic,
                           style: Style = NORMAL) -> tuple[np.ndarray, raster.Canvas]:
    """P(y = 1 | x) as colour, the decision boundary P = ½ in black, the data on top: a uint8 RGB picture
    and the canvas it covers, in ``style``'s colours and sizes."""
    colors, (_, lw, mk) = style.class_colors, scales(style)
    xs, ys, pts = grid(X)
    canvas = canvas_for(xs, ys)
    P = canvas.resample(model.predict_proba(pts)[:, 1].reshape(len(ys), len(xs)))
    picture = raster.colorize(P, raster.lookup_table(light_prob_colorscale(style=style)))
    picture = raster.paint(picture, raster.line_coverage(P, [0.5], 3.0 * lw), BOUNDARY_COLOR)
    groups = [raster.Markers(canvas.to_pixels(X[y == cls]), "circle", colors[k], 8 * mk, POINT_OUTLINE, 1.2 * lw)
              for k, cls in enumerate(np.unique(y))]
    return raster.draw_markers(picture, groups), canvas


def _key(symbol: str, colors: list[str], text: str) -> str:
    """A legend entry: the symbol once in each colour (class 0, class 1, ...), then its meaning."""
    marks = "".join(f'<span style="color:{c}">{symbol}</span>' for c in colors)
    return f'<span style="margin-right:14px;white-space:nowrap">{marks} {html.escape(text)}</span>'


def _figure(picture: np.ndarray, canvas: raster.Canvas, label: str, keys: list[str], kind: str,
            style: Style = NORMAL) -> str:
    """The picture in its axes (x₁ across, x₂ up) with a legend line above it: one HTML block for st.html."""
    s = scales(style)[0]
    legend = f'<div style="font-size:{14 * s:.0f}px;line-height:1.6;margin-bottom:6px">{" ".join(keys)}</div>'
    axes = raster.html_axes(canvas, raster.jpeg_data_uri(picture), label=label, max_width=round(canvas.width + 54 * s),
                            x_title="x₁", y_title="x₂", font_scale=s, figure=kind)
    return legend + axes


def generative_html(X: np.ndarray, y: np.ndarray, model: GaussianClasses,
                    samples: tuple[np.ndarray, np.ndarray], style: Style = NORMAL) -> str:
    """``generative_picture`` with its legend, as HTML."""
    picture, canvas = generative_picture(X, y, model, samples, style)
    colors = [style.class_colors[k] for k in range(len(model.classes_))]
    keys = [_key("◎", colors, "P(x | y), y = " + ", ".join(str(c) for c in model.classes_)),
            _key("●", [mix_white(c, 0.35) for c in colors], "data"), _key("★", colors, "sampled from the model")]
    return _figure(picture, canvas, "The generative model: P(x | y) rings, the data, and points sampled from it",
                   keys, "generative", style)


def discriminative_html(X: np.ndarray, y: np.ndarray, model: Logistic, style: Style = NORMAL) -> str:
    """``discriminative_picture`` with its legend (a colour bar for P(y = 1 | x)), as HTML."""
    picture, canvas = discriminative_picture(X, y, model, style)
    stops = ", ".join(color for _, color in light_prob_colorscale(style=style))
    bar = ('<span style="margin-right:14px;white-space:nowrap">P(y=1 | x): 0 <span style="display:inline-block;'
           f'width:90px;height:10px;vertical-align:middle;background:linear-gradient(to right, {stops});'
           f'outline:1px solid {raster.FRAME_COLOR}"></span> 1</span>')
    classes = np.unique(y)
    keys = [bar, _key("━", [BOUNDARY_COLOR], "boundary P = ½"),
            _key("●", [style.class_colors[k] for k in range(len(classes))],
                 "data, y = " + ", ".join(str(c) for c in classes))]
    return _figure(picture, canvas, "The discriminative model: P(y = 1 | x) as colour, its boundary, and the data",
                   keys, "discriminative", style)
