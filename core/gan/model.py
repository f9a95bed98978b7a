"""A generative adversarial network (Goodfellow et al., 2014) small enough to train while you watch.

Two MLPs play a game. The discriminator D(x) = σ(logit(x)) is a classifier: real samples y = 1,
generated ones y = 0. The generator G(z) maps noise z ~ N(0, I) to samples and is trained to make D
call them real. The value function is

    min_G max_D  V(D, G) = E_x[ln D(x)] + E_z[ln(1 − D(G(z)))].

Losses (all written on D's raw output ``logit``; ln D = −softplus(−logit), ln(1 − D) = −softplus(logit)):
- minimax:        L_D = −E[ln D(x)] − E[ln(1 − D(G(z)))],   L_G = E[ln(1 − D(G(z)))]
- non-saturating: the same L_D,                              L_G = −E[ln D(G(z))]
- least squares (Mao et al., 2017): L_D = ½E[(D(x) − 1)²] + ½E[D(G(z))²],  L_G = ½E[(D(G(z)) − 1)²]
- Wasserstein-GP (Gulrajani et al., 2017): L_D = E[f(G(z))] − E[f(x)] + λE[(‖∇f(x̂)‖ − 1)²],  L_G = −E[f(G(z))]

Randomness comes from one ``torch.Generator`` seeded by the settings: the same settings replay the
same run. Training is single-threaded (one torch thread, set by ``core.runtime``): many students share a server.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, fields, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrizations

from core.gan import targets
from core.gan.targets import Target

NON_SATURATING = "non-saturating"
MINIMAX = "minimax"
LEAST_SQUARES = "least squares"
WGAN_GP = "Wasserstein-GP"
LOSSES: tuple[str, ...] = (NON_SATURATING, MINIMAX, LEAST_SQUARES, WGAN_GP)
ACTIVATIONS: dict[str, type[nn.Module]] = {"ReLU": nn.ReLU, "leaky ReLU": nn.LeakyReLU, "tanh": nn.Tanh, "ELU": nn.ELU}
OPTIMIZERS: tuple[str, ...] = ("Adam", "SGD")

LIVE_FIELDS = ("lr_g", "lr_d", "batch_size", "d_steps", "loss", "ema")
"""Settings that change a running model at once; any other change builds a new model (a reset)."""

EMA_DECAY = 0.99
"""G_ema ← β G_ema + (1 − β) G after each step, β = min(0.99, (1 + t)/(10 + t)): the average of about the
last 100 generators. It removes the step-to-step jitter from the pictures (Yazıcı et al., 2019)."""

LOSS_LIMIT = 1e4
WEIGHT_LIMIT = 1e4
"""Beyond these the run has diverged: no sensible GAN on this data gets anywhere near them."""


@dataclass(frozen=True)
class GanSettings:
    """Everything that defines a run. Same settings, same run."""

    target: str = targets.RING
    latent_dim: int = 2
    hidden: int = 64
    depth: int = 2
    activation: str = "ReLU"
    lr_g: float = 1e-2
    lr_d: float = 1e-2
    optimizer: str = "Adam"
    batch_size: int = 256
    d_steps: int = 1
    loss: str = NON_SATURATING
    spectral_norm: bool = False
    gp_weight: float = 0.1  # λ of WGAN-GP (0.1 for toy data, as in Gulrajani et al.'s toy experiments)
    ema: bool = True  # pictures and metrics use an exponential moving average of G's weights
    seed: int = 0

    def architecture(self) -> tuple:
        """The fields that need a new model when they change (everything but LIVE_FIELDS)."""
        return tuple(getattr(self, f.name) for f in fields(self) if f.name not in LIVE_FIELDS)


def check_settings(s: GanSettings) -> None:
    """Raise ValueError with a readable reason if the settings cannot build a model."""
    if s.loss not in LOSSES:
        raise ValueError(f"unknown loss {s.loss!r}")
    if s.activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {s.activation!r}")
    if s.optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {s.optimizer!r}")
    for name in ("latent_dim", "hidden", "depth", "batch_size", "d_steps"):
        if getattr(s, name) < 1:
            raise ValueError(f"{name} must be at least 1")
    for name in ("lr_g", "lr_d"):
        value = getattr(s, name)
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number")


# --------------------------------------------------------------------------------------------------
# Networks
# --------------------------------------------------------------------------------------------------
def mlp(n_in: int, n_out: int, hidden: int, depth: int, activation: str, *, spectral_norm: bool = False,
        out: nn.Module | None = None) -> nn.Sequential:
    """n_in → [Linear(hidden) → act] × depth → Linear(n_out) (→ out), optionally spectrally normalised."""
    layers: list[nn.Module] = []
    width = n_in
    for _ in range(depth):
        layers += [_linear(width, hidden, spectral_norm), ACTIVATIONS[activation]()]
        width = hidden
    layers.append(_linear(width, n_out, spectral_norm))
    if out is not None:
        layers.append(out)
    return nn.Sequential(*layers)


def _linear(n_in: int, n_out: int, spectral_norm: bool) -> nn.Module:
    layer = nn.Linear(n_in, n_out)
    return parametrizations.spectral_norm(layer) if spectral_norm else layer


def init_(module: nn.Module, gen: torch.Generator) -> None:
    """PyTorch's default Linear init, U(−1/√fan_in, 1/√fan_in), drawn from ``gen`` (not the global RNG).

    Spectral-norm power-iteration vectors are redrawn from ``gen`` too.
    """
    with torch.no_grad():
        for layer in module.modules():
            if not isinstance(layer, nn.Linear):
                continue
            if parametrize_is(layer):
                weight = layer.parametrizations.weight.original
                sn = layer.parametrizations.weight[0]
            else:
                weight, sn = layer.weight, None
            bound = 1.0 / math.sqrt(weight.shape[1])
            weight.uniform_(-bound, bound, generator=gen)
            layer.bias.uniform_(-bound, bound, generator=gen)
            if sn is not None:
                sn._u.copy_(F.normalize(torch.randn(sn._u.shape, generator=gen), dim=0, eps=sn.eps))
                sn._v.copy_(F.normalize(torch.randn(sn._v.shape, generator=gen), dim=0, eps=sn.eps))
                sn._power_method(weight, 15)


def parametrize_is(layer: nn.Module) -> bool:
    return hasattr(layer, "parametrizations") and "weight" in layer.parametrizations


# --------------------------------------------------------------------------------------------------
# Losses (pure functions of D's raw outputs, so they can be checked against closed forms)
# --------------------------------------------------------------------------------------------------
def d_loss(loss: str, out_real: torch.Tensor, out_fake: torch.Tensor) -> torch.Tensor:
    """The discriminator's loss (without the gradient penalty of WGAN-GP, added by the trainer)."""
    if loss in (NON_SATURATING, MINIMAX):
        # −E[ln D(x)] − E[ln(1 − D(G(z)))] with D = σ(logit)
        return F.softplus(-out_real).mean() + F.softplus(out_fake).mean()
    if loss == LEAST_SQUARES:
        return 0.5 * ((out_real - 1) ** 2).mean() + 0.5 * (out_fake**2).mean()
    if loss == WGAN_GP:
        return out_fake.mean() - out_real.mean()
    raise ValueError(f"unknown loss {loss!r}")


def g_loss(loss: str, out_fake: torch.Tensor) -> torch.Tensor:
    """The generator's loss on D's outputs for generated samples."""
    if loss == MINIMAX:
        return -F.softplus(out_fake).mean()  # E[ln(1 − D(G(z)))]
    if loss == NON_SATURATING:
        return F.softplus(-out_fake).mean()  # −E[ln D(G(z))]
    if loss == LEAST_SQUARES:
        return 0.5 * ((out_fake - 1) ** 2).mean()
    if loss == WGAN_GP:
        return -out_fake.mean()
    raise ValueError(f"unknown loss {loss!r}")


def gradient_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """E[(‖∇_x̂ f(x̂)‖ − 1)²] at x̂ = εx + (1 − ε)G(z), ε ~ U(0, 1) (Gulrajani et al., 2017)."""
    eps = torch.rand(real.shape[0], 1, generator=gen)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def equilibrium(loss: str) -> tuple[float, float]:
    """(L_D, L_G) at the game's equilibrium, where D can no longer tell: D(x) = ½ (raw output 0 for WGAN)."""
    if loss == MINIMAX:
        return 2 * math.log(2), -math.log(2)
    if loss == NON_SATURATING:
        return 2 * math.log(2), math.log(2)
    if loss == LEAST_SQUARES:
        return 0.25, 0.125
    return 0.0, 0.0


LOSS_LATEX: dict[str, tuple[str, str]] = {
    NON_SATURATING: (r"L_D = -\mathbb{E}[\ln D(x)] - \mathbb{E}[\ln(1 - D(G(z)))]", r"L_G = -\mathbb{E}[\ln D(G(z))]"),
    MINIMAX: (r"L_D = -\mathbb{E}[\ln D(x)] - \mathbb{E}[\ln(1 - D(G(z)))]", r"L_G = \mathbb{E}[\ln(1 - D(G(z)))]"),
    LEAST_SQUARES: (r"L_D = \tfrac12\mathbb{E}[(D(x) - 1)^2] + \tfrac12\mathbb{E}[D(G(z))^2]",
                    r"L_G = \tfrac12\mathbb{E}[(D(G(z)) - 1)^2]"),
    WGAN_GP: (r"L_D = \mathbb{E}[f(G(z))] - \mathbb{E}[f(x)] + \lambda\,\mathbb{E}[(\lVert \nabla f(\hat x) \rVert - 1)^2]",
              r"L_G = -\mathbb{E}[f(G(z))]"),
}
"""Each player's loss in LaTeX (D minimises L_D, G minimises L_G)."""


def d_display(loss: str, out: torch.Tensor) -> torch.Tensor:
    """What the pictures call D(x): σ(logit) for the cross-entropy losses, the raw output otherwise."""
    return torch.sigmoid(out) if loss in (NON_SATURATING, MINIMAX) else out


# --------------------------------------------------------------------------------------------------
# History and views
# --------------------------------------------------------------------------------------------------
HISTORY_COLUMNS = ("step", "d_loss", "g_loss", "d_real", "d_fake")


class History:
    """Bounded loss history: when full, keep every other entry and record half as often."""

    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self.data = np.zeros((capacity, len(HISTORY_COLUMNS)), dtype=np.float64)
        self.n = 0
        self.stride = 1

    def add(self, step: int, d_loss: float, g_loss: float, d_real: float, d_fake: float) -> None:
        if step % self.stride:
            return
        if self.n == self.capacity:
            half = self.data[1::2].copy()  # keep the odd rows: their steps are multiples of 2·stride
            self.n = len(half)
            self.data[: self.n] = half
            self.stride *= 2
            if step % self.stride:
                return
        self.data[self.n] = (step, d_loss, g_loss, d_real, d_fake)
        self.n += 1

    def array(self) -> np.ndarray:
        """(n, 5) rows of step, L_D, L_G, mean D(real), mean D(fake)."""
        return self.data[: self.n].copy()


@dataclass
class GanView:
    """A consistent snapshot for the pictures, taken under the runner's lock (all numpy)."""

    step: int
    loss: str
    real: np.ndarray  # (n_show, dim) real samples
    fake: np.ndarray  # (n_metric, dim) G(z) for the fixed noise batch; the first n_show are drawn
    grid_axis: np.ndarray  # (g,) coordinates of the D heatmap along each axis
    d_grid: np.ndarray  # (g, g) for 2-D, (g,) for 1-D: D(x) on the grid
    arrow_from: np.ndarray  # (n_arrows, dim) generated samples
    arrow_dir: np.ndarray  # (n_arrows, dim) −∇_x L_G: the way the generator's loss pushes them
    d_at_arrows: np.ndarray  # (n_arrows,) D at those samples
    history: np.ndarray  # (n, 5) see HISTORY_COLUMNS
    real_metric: np.ndarray  # (n_metric, dim) fixed real samples to compare with ``fake``
    target: Target  # the target without its pool of samples (window, means, σ)


@dataclass
class Snapshot:
    """What a training worker publishes for the page: the pictures' view and the numbers beside them."""

    view: GanView | None
    last: tuple[float, float, float, float]
    """L_D, L_G, mean D(real), mean D(fake) after the last step."""
    problem: str | None
    """Why the run diverged, or why there is nothing to train yet (a drawing with too few points)."""
    ready: bool


# --------------------------------------------------------------------------------------------------
# The trainer
# --------------------------------------------------------------------------------------------------
class GanTrainer:
    """G and D, their optimisers, a fixed noise batch for pictures, and a bounded history."""

    N_METRIC = 2500
    N_SHOW = 300
    N_ARROWS = 40
    CHECK_WEIGHTS_EVERY = 20

    def __init__(self, settings: GanSettings, target: Target) -> None:
        check_settings(settings)
        self.settings = settings
        self.target = target
        self.gen = torch.Generator().manual_seed(settings.seed)
        dim = target.dim
        out = nn.Tanh() if target.name == targets.DIGITS else None
        self.G = mlp(settings.latent_dim, dim, settings.hidden, settings.depth, settings.activation, out=out)
        self.D = mlp(dim, 1, settings.hidden, settings.depth, settings.activation, spectral_norm=settings.spectral_norm)
        init_(self.G, self.gen)
        init_(self.D, self.gen)
        self._params = {id(self.G): list(self.G.parameters()), id(self.D): list(self.D.parameters())}
        self.G_ema = copy.deepcopy(self.G).requires_grad_(False)
        self._ema_params = list(self.G_ema.parameters())
        self._ema_t = 0
        self.opt_g = self._optimizer(self.G, settings.lr_g)
        self.opt_d = self._optimizer(self.D, settings.lr_d)
        self.pool = torch.from_numpy(target.pool)
        view_gen = torch.Generator().manual_seed(settings.seed + 1)
        self.z_fixed = torch.randn(self.N_METRIC, settings.latent_dim, generator=view_gen)
        show = torch.randint(len(self.pool), (self.N_SHOW,), generator=view_gen)
        self.real_show = self.pool[show].numpy().copy()
        self.real_metric = self.pool[torch.randint(len(self.pool), (self.N_METRIC,), generator=view_gen)].numpy().copy()
        self.target_light = replace(target, pool=np.zeros((0, target.dim), dtype=np.float32))
        self.iteration = 0
        self.history = History()
        self.last: tuple[float, float, float, float] = (math.nan, math.nan, math.nan, math.nan)
        self._problem: str | None = None

    def _optimizer(self, net: nn.Module, lr: float) -> torch.optim.Optimizer:
        if self.settings.optimizer == "Adam":
            # β1 = 0.5 as in DCGAN (Radford et al., 2016): less momentum keeps the game from orbiting.
            return torch.optim.Adam(net.parameters(), lr=lr, betas=(0.5, 0.999), fused=True)
        return torch.optim.SGD(net.parameters(), lr=lr, foreach=True)

    # -- changing settings while training ---------------------------------------------------------------
    def update(self, settings: GanSettings) -> None:
        """Apply new live settings at once (learning rates go into the optimisers' param_groups)."""
        if settings.architecture() != self.settings.architecture():
            raise ValueError("architecture changed: build a new trainer")
        check_settings(settings)
        for group in self.opt_g.param_groups:
            group["lr"] = settings.lr_g
        for group in self.opt_d.param_groups:
            group["lr"] = settings.lr_d
        if settings.ema and not self.settings.ema:
            self._restart_ema()
        self.settings = settings

    ready = True

    def _restart_ema(self) -> None:
        with torch.no_grad():
            for pe, p in zip(self._ema_params, self._params[id(self.G)], strict=True):
                pe.copy_(p)
        self._ema_t = 0

    @torch.no_grad()
    def _update_ema(self) -> None:
        self._ema_t += 1
        weight = 1.0 - min(EMA_DECAY, (1 + self._ema_t) / (10 + self._ema_t))
        for pe, p in zip(self._ema_params, self._params[id(self.G)], strict=True):
            pe.lerp_(p, weight)

    @property
    def G_shown(self) -> nn.Module:
        """The generator the pictures and metrics use: G_ema when averaging is on, else G itself."""
        return self.G_ema if self.settings.ema else self.G

    # -- training ----------------------------------------------------------------------------------------
    def _real(self, n: int) -> torch.Tensor:
        return self.pool[torch.randint(len(self.pool), (n,), generator=self.gen)]

    def _noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.settings.latent_dim, generator=self.gen)

    def _update(self, net: nn.Module, opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        # torch.autograd.grad only for this net's weights: backprop through the other net computes
        # the input gradient it needs and no weight gradients nobody uses.
        params = self._params[id(net)]
        grads = torch.autograd.grad(loss, params)
        for p, g in zip(params, grads, strict=True):
            p.grad = g
        opt.step()

    def d_objective(self, real: torch.Tensor, fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(L_D, D's outputs on real, on fake) for one batch of each, in one forward pass of D."""
        s = self.settings
        out = self.D(torch.cat([real, fake]))
        out_real, out_fake = out[: len(real)], out[len(real):]
        loss = d_loss(s.loss, out_real, out_fake)
        if s.loss == WGAN_GP:
            loss = loss + s.gp_weight * gradient_penalty(self.D, real, fake, self.gen)
        return loss, out_real, out_fake

    def d_update(self, real: torch.Tensor, fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One optimiser step of D on this batch; returns what ``d_objective`` gave before the step."""
        loss, out_real, out_fake = self.d_objective(real, fake)
        self._update(self.D, self.opt_d, loss)
        return loss, out_real, out_fake

    def step(self) -> None:
        """One iteration: ``d_steps`` updates of D, then one update of G.

        D sees a fresh real batch and a fresh generated batch each time (one forward pass on both);
        G is then updated on the last generated batch against the updated D, as in the DCGAN example.
        """
        if self._problem:
            return
        s = self.settings
        B = s.batch_size
        for k in range(s.d_steps):
            real = self._real(B)
            z = self._noise(B)
            if k == s.d_steps - 1:
                fake = self.G(z)  # kept with its graph for the G step
            else:
                with torch.no_grad():
                    fake = self.G(z)
            loss_d, out_real, out_fake = self.d_update(real, fake.detach())
        loss_g = g_loss(s.loss, self.D(fake))
        self._update(self.G, self.opt_g, loss_g)
        if s.ema:
            self._update_ema()
        with torch.no_grad():
            ld, lg = float(loss_d), float(loss_g)
            d_real = float(d_display(s.loss, out_real).mean())
            d_fake = float(d_display(s.loss, out_fake).mean())
        self.iteration += 1
        self.last = (ld, lg, d_real, d_fake)
        self.history.add(self.iteration, ld, lg, d_real, d_fake)
        self._check(ld, lg)

    def _check(self, ld: float, lg: float) -> None:
        for name, value in (("discriminator", ld), ("generator", lg)):
            if not math.isfinite(value):
                self._problem = (f"The {name} loss became {value} at step {self.iteration}: training diverged. "
                                 "Lower the learning rates and press Reset.")
                return
            if abs(value) > LOSS_LIMIT:
                self._problem = (f"The {name} loss reached {value:.3g} at step {self.iteration}: training "
                                 "diverged. Lower the learning rates and press Reset.")
                return
        if self.iteration % self.CHECK_WEIGHTS_EVERY == 0 or self.iteration < self.CHECK_WEIGHTS_EVERY:
            self._problem = self.weights_problem()

    @torch.no_grad()
    def weights_problem(self) -> str | None:
        """A message if any weight of G or D is NaN, infinite or beyond WEIGHT_LIMIT."""
        for name, net in (("generator", self.G), ("discriminator", self.D)):
            for p in net.parameters():
                if not bool(torch.isfinite(p).all()):
                    return (f"The {name}'s weights became NaN or infinite at step {self.iteration}: training "
                            "diverged. Lower the learning rates and press Reset.")
                if float(p.abs().max()) > WEIGHT_LIMIT:
                    return (f"The {name}'s weights grew beyond {WEIGHT_LIMIT:g} at step {self.iteration}: "
                            "training diverged. Lower the learning rates and press Reset.")
        return None

    def diverged(self) -> str | None:
        """Why the run diverged (NaN/inf or exploding losses or weights), or None."""
        return self._problem

    def train_steps(self, n: int) -> int:
        """Train ``n`` iterations, or until the run diverges; returns steps done (the same on any machine)."""
        done = 0
        while done < n and not self._problem:
            self.step()
            done += 1
        return done

    # -- pictures --------------------------------------------------------------------------------------
    N_SHOW_IMAGES = 36

    def snapshot(self) -> Snapshot:
        """The published view: for images only the few the page shows (a 64-pixel sample is 256 bytes)."""
        view = self.view()
        if self.target.dim > 2:
            view = replace(view, fake=view.fake[: self.N_SHOW_IMAGES], real=view.real[: self.N_SHOW_IMAGES],
                           real_metric=view.real_metric[:0])
        return Snapshot(view, self.last, self._problem, True)

    @torch.no_grad()
    def sample(self, n: int | None = None) -> np.ndarray:
        """G(z) for the fixed noise batch (or its first n rows): the same z every time, so frames compare."""
        z = self.z_fixed if n is None else self.z_fixed[:n]
        return self.G_shown(z).numpy()

    def view(self, grid_n: int = 24, grid_1d: int = 161) -> GanView:
        """Everything the live pictures need, as numpy arrays (call under the runner's lock)."""
        s, t = self.settings, self.target
        self.D.eval()  # spectral norm: use the current estimate, do not run a power iteration
        try:
            with torch.no_grad():
                fake = self.G_shown(self.z_fixed)
                axis = torch.linspace(t.lo, t.hi, grid_n if t.dim == 2 else grid_1d)
                if t.dim == 2:
                    xx, yy = torch.meshgrid(axis, axis, indexing="xy")
                    pts = torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)
                    d_grid = d_display(s.loss, self.D(pts)).reshape(grid_n, grid_n)
                elif t.dim == 1:
                    d_grid = d_display(s.loss, self.D(axis[:, None])).reshape(-1)
                else:
                    d_grid = torch.zeros(0)
            n_arrows = self.N_ARROWS if t.dim <= 2 else 0
            x = fake[:n_arrows].clone().requires_grad_(True)
            out = self.D(x)
            (grad,) = torch.autograd.grad(g_loss(s.loss, out) * max(n_arrows, 1), x)  # per-sample ∇_x L_G
        finally:
            self.D.train()
        return GanView(
            step=self.iteration, loss=s.loss, real=self.real_show, fake=fake.numpy(),
            grid_axis=axis.numpy(), d_grid=d_grid.numpy(), arrow_from=x.detach().numpy(),
            arrow_dir=(-grad).numpy(), d_at_arrows=d_display(s.loss, out.detach()).reshape(-1).numpy(),
            history=self.history.array(), real_metric=self.real_metric, target=self.target_light,
        )


# --------------------------------------------------------------------------------------------------
# Presets
# --------------------------------------------------------------------------------------------------
DEFAULT = "works"
COLLAPSE = "mode collapse"
BEST_GRID = "best for grid of 25"
PRESETS: tuple[str, ...] = (DEFAULT, COLLAPSE, BEST_GRID)

_DEFAULTS: dict[str, GanSettings] = {
    targets.RING: GanSettings(),  # the page's default: small nets, a high learning rate, 256 a batch
    targets.GRID: GanSettings(target=targets.GRID, lr_g=2e-3, lr_d=2e-3, spectral_norm=True),  # 80 % HQ in ~7,500 steps (seed 0)
    targets.SPIRAL: GanSettings(target=targets.SPIRAL, hidden=128, lr_g=1e-3, lr_d=1e-3),
    targets.MOONS: GanSettings(target=targets.MOONS, hidden=128, lr_g=1e-3, lr_d=1e-3),
    targets.CIRCLE: GanSettings(target=targets.CIRCLE, hidden=64, lr_g=1e-3, lr_d=1e-3),
    targets.DRAWN: GanSettings(target=targets.DRAWN, hidden=128, lr_g=1e-3, lr_d=1e-3),
    targets.MIXTURE_1D: GanSettings(target=targets.MIXTURE_1D, latent_dim=1, hidden=32, lr_g=1e-3, lr_d=1e-3),
}


def preset(name: str, target: str) -> GanSettings:
    """Settings for a preset: ``works`` (the target's default), ``mode collapse``, ``best for grid of 25``.

    Mode collapse: a generator that learns faster than its discriminator (0.03 against 0.01) on small,
    noisy batches of 16. G moves all its samples to wherever D is currently fooled, D catches up,
    G hops elsewhere. Averaging is off so the hops show as they happen.
    """
    if name == DEFAULT:
        return _DEFAULTS.get(target, replace(GanSettings(), target=target))
    if name == COLLAPSE:
        return replace(_DEFAULTS.get(target, GanSettings()), target=target, loss=NON_SATURATING, lr_g=3e-2,
                       lr_d=1e-2, batch_size=16, ema=False)
    if name == BEST_GRID:
        return _DEFAULTS[targets.GRID]
    raise ValueError(f"unknown preset {name!r}")


def digits_settings(loss: str = NON_SATURATING, seed: int = 0) -> GanSettings:
    """A small GAN for the 8×8 digits: 16-D noise, two hidden layers of 128 (G ends in tanh)."""
    return GanSettings(target=targets.DIGITS, latent_dim=16, hidden=128, depth=2, activation="leaky ReLU",
                       lr_g=1e-3, lr_d=1e-3, batch_size=64, loss=loss, seed=seed)


def digits_trainer(loss: str = NON_SATURATING) -> GanTrainer:
    """A trainer for the digits tab."""
    return GanTrainer(digits_settings(loss), targets.make_target(targets.DIGITS))


# --------------------------------------------------------------------------------------------------
# The page's settings: the ranges its widgets offer (declared in core.gan.settings), and what a change means
# --------------------------------------------------------------------------------------------------
LR_OPTIONS: tuple[float, ...] = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 2e-3, 5e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_OPTIONS: tuple[int, ...] = (16, 32, 64, 128, 256, 512, 1024)
LATENT_OPTIONS: tuple[int, ...] = (1, 2, 4, 8, 16)
HIDDEN_OPTIONS: tuple[int, ...] = (8, 16, 32, 64, 128, 256)
MAX_D_STEPS = 10
MAX_DEPTH = 4
MAX_SEED = 9999

def changed_fields(old: GanSettings, new: GanSettings) -> list[str]:
    """Names of the fields that differ."""
    return [f.name for f in fields(GanSettings) if getattr(old, f.name) != getattr(new, f.name)]


def needs_rebuild(old: GanSettings, new: GanSettings) -> bool:
    """True when the change is more than LIVE_FIELDS: new networks, training restarts from step 0."""
    return old.architecture() != new.architecture()


class NotReady:
    """Stands in for a trainer that cannot be built yet (a drawing with too few points)."""

    ready = False
    last = (math.nan, math.nan, math.nan, math.nan)

    def __init__(self, reason: str, settings: GanSettings) -> None:
        self.reason = reason
        self.settings = settings
        self.iteration = 0

    def step(self) -> None:
        """Nothing to train."""

    def diverged(self) -> str | None:
        return self.reason

    def update(self, settings: GanSettings) -> None:
        self.settings = settings

    def view(self) -> None:
        """No pictures yet."""
        return None

    def snapshot(self) -> Snapshot:
        return Snapshot(None, self.last, self.reason, False)


def build_trainer(settings: GanSettings, drawn: np.ndarray | None = None) -> GanTrainer | NotReady:
    """A trainer for ``settings`` (a drawing needs ``drawn`` points), or NotReady with the reason."""
    try:
        return GanTrainer(settings, targets.make_target(settings.target, seed=settings.seed, drawn=drawn))
    except targets.TooFewPoints as err:
        return NotReady(str(err), settings)


