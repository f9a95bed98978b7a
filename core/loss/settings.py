"""The loss lab's settings: one control per shareable widget (its label, range, step and help written once)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.controls import SELECTBOX, Control
from core.loss import descent

_D, _W = descent.DescentSettings(), descent.WINDOW

Y_HAT = Control("loss.y_hat", "ŷ: the predicted probability of y = 1", 0.5, 0.001, 0.999, 0.001, format="%.3f")
DATA = Control("loss.data", "Data", descent.DATASETS[0], options=descent.DATASETS, kind=SELECTBOX,
               help="Separable: one humidity splits rain from dry.")
OBJECTIVE = Control("loss.objective", "Loss to walk down", _D.objective, options=descent.OBJECTIVES, kind=SELECTBOX,
                    help="MSE = mean ½(y − σ(wx + b))².")
OPTIMIZER = Control("loss.optimizer", "Optimiser", _D.optimizer, options=descent.OPTIMIZERS, kind=SELECTBOX,
                    help="Momentum μ = 0.9; Adam β = (0.9, 0.999).")
L2 = Control("loss.l2", "L2 penalty λ", _D.l2, *descent.L2_RANGE, 0.005, format="%.3f")
LR = Control("loss.lr", "Learning rate η", _D.lr, *descent.LR_RANGE, 0.01)
STEPS = Control("loss.steps", "Steps", _D.steps, *descent.STEPS_RANGE)
W0 = Control("loss.w0", "Start w₀", _D.w0, *_W.w, 0.1)
B0 = Control("loss.b0", "Start b₀", _D.b0, *_W.b, 0.1,
             help="Or click the contour map: the start snaps to the nearest even numbers.")
GAN_D = Control("loss.gan_d", "D(G(z)): how real D finds a fake", 0.02, 0.001, 0.999, 0.001, format="%.3f")
SURFACES = Control("loss.surfaces", "Show the loss as 3-D surfaces", False,
                   help="Two 3-D charts you can turn with the mouse: BCE and MSE over (w, b). They draw with WebGL, "
                        "slow on many school laptops, so they are off until asked for.")
DESCENT = (DATA, OBJECTIVE, OPTIMIZER, L2, LR, STEPS, W0, B0, SURFACES)
"""The walk's settings (the part of the page that reruns with them writes them to the URL)."""
CONTROLS = (Y_HAT, *DESCENT, GAN_D)
"""Every widget whose value belongs in a share link."""
GRID = (DATA, OPTIMIZER, LR, W0, OBJECTIVE, L2, STEPS, B0)
"""The walk's settings in the page's four columns, row by row: data and loss, optimiser and λ, η and steps, the start."""


def descent_settings(state: Mapping[str, Any]) -> descent.DescentSettings:
    """The walk down the surface the widgets ask for."""
    return descent.DescentSettings(state[OPTIMIZER.key], state[LR.key], state[STEPS.key], state[W0.key],
                                   state[B0.key], state[L2.key], state[OBJECTIVE.key])
