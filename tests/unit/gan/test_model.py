"""The GAN core: losses against closed forms and references, training steps, seeding, divergence, targets."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.metrics import log_loss

from core.gan import figures as fig
from core.gan import model as gan
from core.gan import settings as gs
from core.gan import targets as T
from core.gan.model import GanSettings, GanTrainer

RING = T.make_target(T.RING)


def small(**kw) -> GanSettings:
    return replace(GanSettings(), **({"hidden": 16, "batch_size": 64} | kw))


# -- losses ---------------------------------------------------------------------------------------------
def test_losses_at_the_equilibrium_match_closed_forms():
    half = torch.zeros(10, 1, dtype=torch.float64)  # logit 0: D = ½
    for loss in (gan.NON_SATURATING, gan.MINIMAX):
        assert_allclose(float(gan.d_loss(loss, half, half)), 2 * math.log(2), rtol=1e-12)  # 2 ln 2
    assert_allclose(float(gan.g_loss(gan.MINIMAX, half)), -math.log(2), rtol=1e-12)  # ln(1 − ½)
    assert_allclose(float(gan.g_loss(gan.NON_SATURATING, half)), math.log(2), rtol=1e-12)  # −ln ½
    out = torch.full((10, 1), 0.5, dtype=torch.float64)  # least squares: raw output ½
    assert_allclose(float(gan.d_loss(gan.LEAST_SQUARES, out, out)), 0.25, rtol=1e-12)
    assert_allclose(float(gan.g_loss(gan.LEAST_SQUARES, out)), 0.125, rtol=1e-12)
    for loss in (gan.NON_SATURATING, gan.MINIMAX):
        assert gan.equilibrium(loss)[0] == pytest.approx(2 * math.log(2))
    assert gan.equilibrium(gan.LEAST_SQUARES) == (0.25, 0.125)


def test_discriminator_loss_is_binary_cross_entropy_real_1_fake_0():
    rng = np.random.default_rng(0)
    logit_real, logit_fake = rng.normal(1, 2, 50), rng.normal(-1, 2, 50)
    p = 1 / (1 + np.exp(-np.concatenate([logit_real, logit_fake])))
    y = np.r_[np.ones(50), np.zeros(50)]
    ours = gan.d_loss(gan.NON_SATURATING, torch.tensor(logit_real)[:, None], torch.tensor(logit_fake)[:, None])
    # sklearn averages over all 100 samples; L_D sums the two batch means: L_D = 2 · log_loss.
    assert_allclose(float(ours), 2 * log_loss(y, p), rtol=1e-10)


def test_generator_losses_against_numpy():
    logits = np.linspace(-6, 6, 25)
    d = 1 / (1 + np.exp(-logits))
    t = torch.tensor(logits)[:, None]
    assert_allclose(float(gan.g_loss(gan.MINIMAX, t)), np.mean(np.log(1 - d)), rtol=1e-10)
    assert_allclose(float(gan.g_loss(gan.NON_SATURATING, t)), -np.mean(np.log(d)), rtol=1e-10)
    assert_allclose(float(gan.g_loss(gan.LEAST_SQUARES, t)), 0.5 * np.mean((logits - 1) ** 2), rtol=1e-10)
    assert_allclose(float(gan.g_loss(gan.WGAN_GP, t)), -logits.mean(), rtol=1e-10)
    assert_allclose(float(gan.d_loss(gan.WGAN_GP, t, 2 * t)), (2 * logits).mean() - logits.mean(), atol=1e-12)


def test_minimax_generator_gradient_saturates_where_the_non_saturating_one_does_not():
    # d/dlogit of ln(1 − σ(l)) is −σ(l) → 0 when D is sure a sample is fake; −ln σ(l) has −(1 − σ(l)) → −1.
    logit = torch.tensor([[-8.0]], dtype=torch.float64, requires_grad=True)
    (g_mm,) = torch.autograd.grad(gan.g_loss(gan.MINIMAX, logit), logit)
    (g_ns,) = torch.autograd.grad(gan.g_loss(gan.NON_SATURATING, logit), logit)
    assert_allclose(float(g_mm), -1 / (1 + math.exp(8)), rtol=1e-10)
    assert_allclose(float(g_ns), -(1 - 1 / (1 + math.exp(8))), rtol=1e-10)


def test_gradient_penalty_of_a_linear_critic_is_norm_minus_one_squared():
    w = torch.tensor([[3.0, 4.0]], dtype=torch.float64)  # ‖∇f‖ = 5 everywhere
    critic = torch.nn.Linear(2, 1, bias=False).double()
    critic.weight.data = w
    real, fake = torch.randn(32, 2, dtype=torch.float64), torch.randn(32, 2, dtype=torch.float64)
    penalty = gan.gradient_penalty(critic, real, fake, torch.Generator().manual_seed(0))
    assert_allclose(float(penalty.detach()), (5 - 1) ** 2, rtol=1e-10)


# -- training -------------------------------------------------------------------------------------------
def test_one_discriminator_step_lowers_its_loss_on_a_fixed_batch():
    for loss in gan.LOSSES:
        trainer = GanTrainer(small(loss=loss, lr_d=1e-3), RING)
        real = trainer.pool[:256]
        with torch.no_grad():
            fake = trainer.G(torch.randn(256, 2, generator=torch.Generator().manual_seed(1)))
        gen_state = trainer.gen.get_state()
        before, _, _ = trainer.d_update(real, fake)
        trainer.gen.set_state(gen_state)  # the same interpolation points for the gradient penalty
        after, _, _ = trainer.d_objective(real, fake)
        assert float(after.detach()) < float(before.detach()), loss


def test_the_same_seed_replays_the_same_run_and_another_seed_does_not():
    for loss in gan.LOSSES:
        a, b = GanTrainer(small(loss=loss, spectral_norm=True), RING), GanTrainer(small(loss=loss, spectral_norm=True), RING)
        for _ in range(12):
            a.step()
            b.step()
            b.view()  # drawing a frame must not change the run
        assert_allclose(a.history.array(), b.history.array(), rtol=0, atol=0)
        assert np.array_equal(a.sample(), b.sample())
    c = GanTrainer(small(seed=1), RING)
    d = GanTrainer(small(seed=0), RING)
    c.train_steps(30)
    d.train_steps(30)
    assert not np.allclose(c.sample(), d.sample())


def test_step_counts_iterations_and_d_steps_update_d_more_often():
    trainer = GanTrainer(small(d_steps=3), RING)
    calls = []
    original = trainer.d_update
    trainer.d_update = lambda real, fake: calls.append(1) or original(real, fake)
    trainer.step()
    trainer.step()
    assert trainer.iteration == 2 and len(calls) == 6
    assert trainer.history.array()[:, 0].tolist() == [1.0, 2.0]


@pytest.mark.trains
def test_divergence_is_detected_from_nan_weights_and_exploding_learning_rates():
    trainer = GanTrainer(small(), RING)
    with torch.no_grad():
        next(trainer.D.parameters())[0, 0] = float("nan")
    trainer.step()
    assert "diverged" in trainer.diverged()
    assert trainer.train_steps(5) == 0  # a diverged run does not train on
    # Measured with seeds 0-5 on the default, AVX2 and AVX-512 kernels: learning rates of 10 diverge at step 1
    # or 2 with every loss, so 50 steps leave a wide margin; each seed must diverge.
    for loss in gan.LOSSES:
        for seed in (0, 1, 2):
            wild = GanTrainer(small(loss=loss, lr_g=10.0, lr_d=10.0, seed=seed), RING)
            assert wild.train_steps(50) < 50, (loss, seed)
            assert wild.diverged() and "Lower the learning rates" in wild.diverged(), (loss, seed)
    for seed in (0, 1, 2):
        calm = GanTrainer(small(seed=seed), RING)
        assert calm.train_steps(50) == 50 and calm.diverged() is None, seed


def test_learning_rates_change_at_once_and_architecture_changes_are_refused():
    trainer = GanTrainer(small(), RING)
    trainer.update(small(lr_g=0.03, lr_d=3e-4, batch_size=32, d_steps=2, loss=gan.MINIMAX))
    assert [g["lr"] for g in trainer.opt_g.param_groups] == [0.03]
    assert [g["lr"] for g in trainer.opt_d.param_groups] == [3e-4]
    trainer.step()
    assert trainer.settings.batch_size == 32
    with pytest.raises(ValueError):
        trainer.update(small(hidden=32))
    assert gan.needs_rebuild(small(), small(depth=3)) and not gan.needs_rebuild(small(), small(lr_g=0.1))
    assert gan.changed_fields(small(), small(depth=3, seed=4)) == ["depth", "seed"]


def test_history_stays_bounded_and_spans_the_whole_run():
    history = gan.History(capacity=100)
    for step in range(1, 10_001):
        history.add(step, 1.0, 2.0, 0.5, 0.5)
    rows = history.array()
    assert len(rows) <= 100
    assert np.all(np.diff(rows[:, 0]) > 0)
    assert rows[0, 0] <= 200 and rows[-1, 0] >= 9_800


def test_view_has_the_shapes_the_pictures_need():
    trainer = GanTrainer(small(), RING)
    trainer.train_steps(5)
    view = trainer.view(grid_n=20)
    assert view.step == 5
    assert view.fake.shape == (GanTrainer.N_METRIC, 2) and view.real.shape == (GanTrainer.N_SHOW, 2)
    assert view.d_grid.shape == (20, 20) and np.all((view.d_grid >= 0) & (view.d_grid <= 1))
    assert view.arrow_from.shape == view.arrow_dir.shape == (GanTrainer.N_ARROWS, 2)
    assert view.history.shape == (5, 5)
    one_d = GanTrainer(gan.preset(gan.DEFAULT, T.MIXTURE_1D), T.make_target(T.MIXTURE_1D)).view()
    assert one_d.d_grid.ndim == 1 and one_d.fake.shape[1] == 1


def test_arrows_are_minus_the_gradient_of_the_generator_loss():
    trainer = GanTrainer(small(), RING)
    view = trainer.view()
    x = torch.tensor(view.arrow_from[:1], requires_grad=True)
    trainer.D.eval()
    (grad,) = torch.autograd.grad(gan.g_loss(gan.NON_SATURATING, trainer.D(x)), x)
    assert_allclose(view.arrow_dir[:1], -grad.numpy(), rtol=1e-5, atol=1e-7)


def test_every_preset_and_target_trains_without_diverging():
    drawn = T.add_points(np.zeros((0, 2)), 0, 0, "ring", np.random.default_rng(0))
    drawn = T.add_points(drawn, 1, 1, "cloud", np.random.default_rng(1))
    for target in T.TARGETS:
        for name in gan.PRESETS if target == T.RING else (gan.DEFAULT,):
            s = replace(gan.preset(name, target), batch_size=32)
            trainer = GanTrainer(s, T.make_target(s.target, drawn=drawn))
            trainer.train_steps(3)
            assert trainer.diverged() is None and trainer.iteration == 3, (target, name)
    digits = GanTrainer(gan.digits_settings(), T.make_target(T.DIGITS))
    digits.train_steps(3)
    assert digits.sample(4).shape == (4, 64) and np.abs(digits.sample(4)).max() <= 1


def test_every_preset_uses_values_the_widgets_offer():
    for target in T.TARGETS:
        for name in gan.PRESETS:
            s = gan.preset(name, target)
            for c in gs.CONTROLS.values():
                field, lo, hi, options = gs.field_of(c), c.lo, c.hi, c.options
                value = getattr(s, field)
                assert options is None or value in options, (target, name, field, value)
                assert lo is None or lo <= value <= hi, (target, name, field, value)


def test_the_page_default_is_the_ring_preset_that_works():
    assert gan.preset(gan.DEFAULT, T.RING) == GanSettings()
    assert {gs.field_of(c): c.default for c in gs.CONTROLS.values()} == {
        gs.field_of(c): getattr(GanSettings(), gs.field_of(c)) for c in gs.CONTROLS.values()}


def test_settings_round_trip_through_widget_values():
    s = gan.preset(gan.BEST_GRID, T.RING)
    assert gs.settings_from(gs.widget_values(s)) == s
    assert {gs.field_of(c) for c in gs.CONTROLS.values()} <= {f for f in GanSettings.__dataclass_fields__}
    for c in gs.CONTROLS.values():
        name, default, options = gs.field_of(c), c.default, c.options
        assert default == getattr(GanSettings(), name)
        assert options is None or default in options


def test_not_ready_stands_in_with_its_reason():
    with pytest.raises(T.TooFewPoints, match="at least 20"):
        T.make_target(T.DRAWN, drawn=np.zeros((5, 2)))
    stand_in = gan.NotReady("draw more", GanSettings())
    stand_in.step()
    assert stand_in.diverged() == "draw more"


# -- targets --------------------------------------------------------------------------------------------
def test_targets_have_their_published_shapes():
    assert_allclose(np.linalg.norm(T.ring_means(), axis=1), 2.0)
    assert_allclose(T.grid_means()[[0, -1]], [[-4, -4], [4, 4]])
    ring = T.make_target(T.RING)
    assert ring.pool.dtype == np.float32 and ring.pool.shape == (T.POOL_SIZE, 2) and ring.n_modes == 8
    # Each sample is within a few σ of a ring point, and the 8 modes are equally likely.
    d = np.linalg.norm(ring.pool[:, None, :] - ring.means[None], axis=2)
    assert d.min(axis=1).max() < 6 * ring.std
    assert_allclose(np.bincount(d.argmin(axis=1)) / T.POOL_SIZE, 1 / 8, atol=0.01)
    digits = T.make_target(T.DIGITS)
    assert digits.pool.shape == (1797, 64) and digits.pool.min() == -1 and digits.pool.max() == 1
    for name in (T.SPIRAL, T.MOONS, T.CIRCLE, T.MIXTURE_1D):
        t = T.make_target(name)
        assert np.all((t.pool > t.lo) & (t.pool < t.hi)), name
    assert_allclose(np.trapezoid(T.mixture_density_1d(np.linspace(-6, 6, 4001)), dx=12 / 4000), 1.0, atol=1e-6)


def test_brushes_add_the_right_number_of_points_inside_the_window():
    rng = np.random.default_rng(0)
    points = np.zeros((0, 2))
    for brush, n in (("dot", 1), ("cloud", 12), ("ring", 12), ("line", 7)):
        more = T.add_points(points, 2.9, 0.0, brush, rng)
        assert len(more) == len(points) + n, brush
        points = more
    assert points.max() <= 3.0
    with pytest.raises(ValueError):
        T.add_points(points, 0, 0, "spray", rng)
    pool = T.sample_drawn(points, 1000, rng)
    assert np.linalg.norm(pool[:, None] - points[None], axis=2).min(axis=1).max() < 6 * T.DRAWN_JITTER


# -- figures --------------------------------------------------------------------------------------------
def test_live_specs_change_only_their_data_between_frames():
    trainer = GanTrainer(small(), RING)
    first = trainer.view()
    trainer.train_steps(20)
    later = trainer.view()
    for build in (lambda v: fig.plane_figure(v, RING), lambda v: fig.losses_figure(v.history, v.loss),
                  lambda v: fig.d_means_figure(v.history, v.loss)):
        a, b = build(first), build(later)
        # the spec minus its datasets must stay equal between redraws: the browser then updates in place
        assert json.dumps({k: v for k, v in a.items() if k != "datasets"}) == json.dumps(
            {k: v for k, v in b.items() if k != "datasets"})
        names = {layer["data"]["name"] for layer in b.get("layer", [])}
        assert names == set(b["datasets"])
        for frame in b["datasets"].values():
            assert all(str(t) in ("float", "dictionary<values=string, indices=int8, ordered=0>")
                       for t in frame.schema.types), frame.schema
    plane = fig.plane_figure(later, RING)
    assert len(plane["datasets"]["heat"]) == 24 * 24 and len(plane["datasets"]["fake"]) == GanTrainer.N_SHOW
    assert not plane["datasets"]["fake"].equals(fig.plane_figure(first, RING)["datasets"]["fake"])


def test_arrow_table_scales_all_arrows_by_one_factor_and_points_the_heads():
    table = fig.arrow_table(np.zeros((3, 2)), np.array([[2.0, 0.0], [0.0, 1.0], [0.0, -0.5]]), length=0.4)
    ends = np.column_stack([table.column("x2").to_numpy(), table.column("y2").to_numpy()])
    assert_allclose(ends, [[0.4, 0], [0, 0.2], [0, -0.1]], atol=1e-6)
    assert_allclose(table.column("angle").to_numpy(), [90, 0, 180])  # east, north, south (clockwise from up)


def test_digits_and_canvas_figures():
    spec = fig.digits_figure(np.zeros((12, 64)), columns=6)
    assert len(spec["datasets"]["pixels"]) == 12 * 64
    canvas = fig.canvas_figure(np.array([[0.0, 1.0]]))
    grid, drawn = canvas.data
    assert grid.marker.opacity == 0 and min(grid.x) == -3 and max(grid.x) == 3 and len(grid.x) == 61 * 61
    assert list(drawn.x) == [0.0]


# -- the presets do what the page promises ------------------------------------------------------------
# A GAN's trajectory is chaotic: the last bits of a float (torch's kernel path, the processor) decide which
# modes one seed visits. So these tests assert what holds over several seeds, with margins taken from runs
# of seeds 0-9 under ATEN_CPU_CAPABILITY=default, avx2 and avx512 (measured numbers in each docstring).
SEEDS = (0, 1, 2, 3)


def top_three_share(samples: np.ndarray, means: np.ndarray) -> float:
    """Share of the samples whose nearest mode is one of the three most popular: 3/8 when spread evenly."""
    nearest = np.linalg.norm(samples[:, None, :] - means[None], axis=2).argmin(axis=1)
    return float(np.sort(np.bincount(nearest, minlength=len(means)))[-3:].sum() / len(samples))


def ring_runs(name: str, steps: int, every: int) -> list[list[tuple[int, float, float]]]:
    """For each seed, (modes covered, high-quality share, top-three share) after every ``every`` steps."""
    from core.gan.metrics import mode_report

    runs = []
    for seed in SEEDS:
        trainer, checks = GanTrainer(replace(gan.preset(name, T.RING), seed=seed), RING), []
        while trainer.iteration < steps:
            assert trainer.train_steps(every) == every, (name, seed, trainer.diverged())
            samples = trainer.sample()
            report = mode_report(samples, RING.means, RING.std)
            checks.append((report.covered, report.high_quality, top_three_share(samples, RING.means)))
        runs.append(checks)
    return runs


@pytest.fixture(scope="module")
def works_runs():
    return ring_runs(gan.DEFAULT, 2000, 100)


@pytest.fixture(scope="module")
def collapse_runs():
    return ring_runs(gan.COLLAPSE, 1500, 250)


@pytest.mark.trains
def test_ring_default_reaches_8_of_8_modes_and_mostly_high_quality_samples(works_runs):
    """The page: "within 2,000 steps Modes covered reaches 8 / 8 (on some seeds 7 / 8) and most samples are
    high quality".

    Measured with this very procedure (seeds 0-9 on the plain and the AVX2 kernels; AVX-512 gave the AVX2
    numbers): 19 of 20 runs reach 8 / 8 at some check (seed 3 on the plain kernels stays at 7 / 8); at step
    2,000 every run covers ≥ 7 modes with ≥ 68 % high-quality samples. A run may drop a mode late, so the
    test counts seeds, not one seed's outcome.
    """
    reached = [max(covered for covered, _, _ in checks) == 8 for checks in works_runs]
    assert sum(reached) >= len(SEEDS) - 1, works_runs
    for checks in works_runs:
        covered, high_quality, _ = checks[-1]
        assert covered >= 6 and high_quality > 0.5, checks[-1]


@pytest.mark.trains
def test_mode_collapse_preset_bunches_its_samples_and_covers_far_fewer_modes(works_runs, collapse_runs):
    """The page: the samples bunch into one to three clumps that hop; *Modes covered* stays far below 8 / 8.

    Measured with this very procedure (seeds 0-9 on the plain and the AVX2 kernels): the most modes a
    collapse run covers at any check is 1-5 (mean 2.5 and 3.4 on the two paths), at least 3 fewer than
    *works* covers at step 2,000 on the same seed; from step 1,000 on, the three most popular modes hold
    0.67-1.00 of the samples (mean 0.89 and 0.95), against 0.44-0.64 for *works* (3/8 when spread evenly).
    """
    most = [max(covered for covered, _, _ in checks) for checks in collapse_runs]
    assert max(most) <= 6 and np.mean(most) <= 4.5, most
    for collapsed, works in zip(most, works_runs, strict=True):
        assert collapsed <= works[-1][0] - 2, (most, [w[-1] for w in works_runs])
    late = [share for checks in collapse_runs for _, _, share in checks[3:]]  # steps 1,000 and after
    assert np.mean(late) > 0.8, late
    works = [share for checks in works_runs for _, _, share in checks[9:]]
    assert np.mean(late) > np.mean(works) + 0.2, (np.mean(late), np.mean(works))
