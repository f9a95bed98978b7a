"""Per-example losses and their gradients: binary cross-entropy, squared error, and the GAN losses.

Binary cross-entropy (the negative log-likelihood of a Bernoulli label):

    L(y, ŷ) = −[y ln ŷ + (1 − y) ln(1 − ŷ)]

computed stably either from the logit a (ŷ = σ(a)) or from a probability clipped into [ε, 1 − ε].
The GAN losses are the same BCE with the discriminator's output D as ŷ: real samples carry y = 1,
fakes y = 0 (Goodfellow et al. 2014, "Generative Adversarial Nets", eq. 1 and §3).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, log_expit

EPS = 1e-12
"""Probabilities are clipped into [EPS, 1 − EPS] before a logarithm: ln(0) never happens."""


def clip_probability(p: ArrayLike, eps: float = EPS) -> np.ndarray:
    """ŷ clipped into [ε, 1 − ε] so that ln ŷ and ln(1 − ŷ) are finite."""
    return np.clip(np.asarray(p, dtype=float), eps, 1.0 - eps)


# --------------------------------------------------------------------------------------------------
# Binary cross-entropy
# --------------------------------------------------------------------------------------------------
def bce(y: ArrayLike, y_hat: ArrayLike, eps: float = EPS) -> np.ndarray:
    """Per-example BCE from probabilities: −[y ln ŷ + (1 − y) ln(1 − ŷ)], ŷ clipped into [ε, 1 − ε]."""
    y = np.asarray(y, dtype=float)
    p = clip_probability(y_hat, eps)
    return -(y * np.log(p) + (1.0 - y) * np.log1p(-p))


def bce_grad(y: ArrayLike, y_hat: ArrayLike, eps: float = EPS) -> np.ndarray:
    """∂L/∂ŷ = −y/ŷ + (1 − y)/(1 − ŷ) = (ŷ − y) / (ŷ (1 − ŷ)), ŷ clipped like ``bce``."""
    y = np.asarray(y, dtype=float)
    p = clip_probability(y_hat, eps)
    return -y / p + (1.0 - y) / (1.0 - p)


def bce_with_logits(y: ArrayLike, logits: ArrayLike) -> np.ndarray:
    """Per-example BCE from the logit a: −[y ln σ(a) + (1 − y) ln σ(−a)], never overflows.

    ln σ(a) is ``scipy.special.log_expit`` (= −softplus(−a)); the same quantity as torch's
    ``binary_cross_entropy_with_logits(a, y, reduction="none")``.
    """
    y = np.asarray(y, dtype=float)
    a = np.asarray(logits, dtype=float)
    return -(y * log_expit(a) + (1.0 - y) * log_expit(-a))


def bce_with_logits_grad(y: ArrayLike, logits: ArrayLike) -> np.ndarray:
    """∂L/∂a = σ(a) − y: the sigmoid's derivative cancels the log's, leaving "prediction minus label"."""
    return expit(np.asarray(logits, dtype=float)) - np.asarray(y, dtype=float)


# --------------------------------------------------------------------------------------------------
# Squared error
# --------------------------------------------------------------------------------------------------
def squared_error(y: ArrayLike, y_hat: ArrayLike) -> np.ndarray:
    """Per-example squared error ½ (y − ŷ)²."""
    return 0.5 * (np.asarray(y, dtype=float) - np.asarray(y_hat, dtype=float)) ** 2


def squared_error_grad(y: ArrayLike, y_hat: ArrayLike) -> np.ndarray:
    """∂/∂ŷ ½ (y − ŷ)² = ŷ − y."""
    return np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)


def half_mse(y: ArrayLike, y_hat: ArrayLike) -> np.ndarray:
    """Half the mean squared error, over the last axis: (1/n) Σ ½ (yᵢ − ŷᵢ)² (the ½ cancels the square's 2 in
    the gradient). Not the MSE a regression reports, (1/n) Σ (yᵢ − ŷᵢ)², which is twice this."""
    return np.mean(squared_error(y, y_hat), axis=-1)


# --------------------------------------------------------------------------------------------------
# GAN losses, as functions of the discriminator's outputs D(x) (real) and D(G(z)) (fake)
# --------------------------------------------------------------------------------------------------
def discriminator_loss(d_real: ArrayLike, d_fake: ArrayLike, eps: float = EPS) -> np.ndarray:
    """L_D = −ln D(x) − ln(1 − D(G(z))): BCE with y = 1 on the real sample plus y = 0 on the fake.

    At the equilibrium D = ½ on both, L_D = 2 ln 2 = ln 4.
    """
    return bce(1.0, d_real, eps) + bce(0.0, d_fake, eps)


def generator_loss_minimax(d_fake: ArrayLike, eps: float = EPS) -> np.ndarray:
    """Minimax generator loss ln(1 − D(G(z))), to be minimised (the original GAN game)."""
    return np.log1p(-clip_probability(d_fake, eps))


def generator_loss_minimax_grad(d_fake: ArrayLike, eps: float = EPS) -> np.ndarray:
    """∂/∂D ln(1 − D) = −1/(1 − D): about −1 when D(G(z)) ≈ 0, i.e. a weak push where G is worst."""
    return -1.0 / (1.0 - clip_probability(d_fake, eps))


def generator_loss_nonsaturating(d_fake: ArrayLike, eps: float = EPS) -> np.ndarray:
    """Non-saturating generator loss −ln D(G(z)) (maximise ln D(G(z)) written as a minimisation)."""
    return -np.log(clip_probability(d_fake, eps))


def generator_loss_nonsaturating_grad(d_fake: ArrayLike, eps: float = EPS) -> np.ndarray:
    """∂/∂D (−ln D) = −1/D: large when D(G(z)) ≈ 0, exactly where the generator needs to learn."""
    return -1.0 / clip_probability(d_fake, eps)


def generator_logit_grads(d_fake: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Gradients w.r.t. the discriminator's logit a (D = σ(a)), which is what flows back into G.

    Minimax: ∂/∂a ln(1 − σ(a)) = −σ(a) = −D, which vanishes as D(G(z)) → 0 ("saturates").
    Non-saturating: ∂/∂a (−ln σ(a)) = −(1 − σ(a)) = −(1 − D), about −1 as D(G(z)) → 0.
    """
    d = np.asarray(d_fake, dtype=float)
    return -d, -(1.0 - d)


EQUILIBRIUM_D = 0.5
"""At the GAN optimum p_G = p_data, the best discriminator outputs ½ everywhere."""

EQUILIBRIUM_D_LOSS = float(np.log(4.0))
"""L_D at D(x) = D(G(z)) = ½: −ln ½ − ln ½ = ln 4 ≈ 1.386."""
