"""Guided lessons: each step a prediction question, a link that opens a lab on the settings it needs, and the answer.

Lesson content is data (dataclasses); ``pages/7_Lessons.py`` draws it. A step's ``settings`` use the lab's own URL
keys (the ``key`` of its ``core.controls.Control``); the tests open every link on its page and check each value parses there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.boundary import data as ds
from core.controls import RADIO, Control, format_value
from core.gan import targets

BAYES = "pages/1_Bayes_rule.py"
BOUNDARY = "pages/2_Decision_boundaries.py"
LOSS = "pages/3_Loss_surface.py"
GAN = "pages/4_GAN.py"
BACKPROP = "pages/5_Backprop.py"
NEXT_TOKEN = "pages/6_Next_token.py"

NG_JORDAN = {"boundary.dataset": ds.BLOBS, "boundary.correlation": 0.6, "boundary.noise": 0.25,
             "boundary.balance": 0.5, "boundary.lc_extra": 30,
             "boundary.lc_models": ["Gaussian naive Bayes", "Logistic regression"]}
"""The learning-curve setup of ``core.boundary.controls.NG_JORDAN`` (a unit test keeps the two equal), two models."""


@dataclass(frozen=True)
class Step:
    """One step: ask ``question`` before anyone looks, open ``page`` with ``settings``, look at ``look_at``."""

    title: str
    question: str
    choices: tuple[str, ...]
    answer: int
    why: str
    page: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    look_at: str = ""
    explanation: str = ""
    shows: tuple[str, ...] = ()
    """Text the lab shows once the link is followed (the end-to-end test waits for each on the page)."""
    press: str = ""
    """A button to press on the lab first, if the step's figure needs one (e.g. *Compute learning curves*)."""

    def feedback(self, choice: str | None) -> tuple[bool, str] | None:
        """(right?, text) for a chosen option; None before a choice is made."""
        if choice is None:
            return None
        right = choice == self.choices[self.answer]
        head = "Right." if right else f"Not quite: the answer is “{self.choices[self.answer]}”."
        return right, f"{head} {self.why}"


@dataclass(frozen=True)
class Lesson:
    """A guided lesson: a title, one line on what it teaches, and its steps in order."""

    key: str
    title: str
    summary: str
    steps: tuple[Step, ...]


def query(step: Step) -> dict[str, str | list[str]]:
    """The step's settings as query parameters, in the labs' own text form (``core.controls.format_value``)."""
    return {key: format_value(value) for key, value in step.settings.items()}


GENERATIVE = Lesson("generative", "Generative or discriminative?",
                    "From joint and conditional probability to naive Bayes against logistic regression.", (
    Step("Joint and conditional probability",
         "It rains on 30 % of days; on 90 % of rainy days people carry umbrellas. What is P(rain, umbrella)?",
         ("0.27", "0.30", "0.90"), 0,
         "The product rule: P(rain, umbrella) = P(rain) · P(umbrella | rain) = 0.3 × 0.9 = 0.27.",
         BAYES, {"bayes.p_rain": 0.3, "bayes.p_umbrella_given_rain": 0.9, "bayes.p_umbrella_given_dry": 0.2,
                 "bayes.independent": False},
         "The joint table: the rain-and-umbrella cell, and the row that sums to P(rain).",
         "A joint probability is one cell of the table; a conditional is a cell divided by its row's total.",
         shows=("0.27",)),
    Step("Bayes' rule",
         "Someone carries an umbrella (20 % of dry days too). Is P(rain | umbrella) above or below ½?",
         ("Above ½", "Below ½"), 0,
         "P(rain | umbrella) = 0.27 / (0.27 + 0.7 × 0.2) = 0.27 / 0.41 ≈ 0.66: the umbrella is evidence, the prior "
         "0.3 holds it back.",
         BAYES, {"bayes.p_rain": 0.3, "bayes.p_umbrella_given_rain": 0.9, "bayes.p_umbrella_given_dry": 0.2},
         "The posterior P(rain | umbrella) and the formula with the numbers substituted.",
         "Bayes' rule turns P(umbrella | rain), what a generative model knows, into P(rain | umbrella).",
         shows=("0.659",)),
    Step("Naive Bayes by hand",
         "Naive Bayes multiplies one likelihood per column. What does it assume about the columns?",
         ("They are independent given the class", "They are independent", "They are normally distributed"), 0,
         "Naive Bayes assumes P(x₁, x₂, x₃ | y) = P(x₁ | y) P(x₂ | y) P(x₃ | y): independence *given* y.",
         BAYES, {},
         "The weather table and the naive Bayes section worked out by hand below it.",
         "Each class gets a prior and one likelihood per column; the product, normalised, is the posterior.",
         shows=("independent given the class",)),
    Step("Naive Bayes against logistic regression",
         "Both models draw a boundary on the same correlated blobs. Which of them can also draw new points?",
         ("Naive Bayes", "Logistic regression", "Both"), 0,
         "Naive Bayes models P(x | y) and P(y): it can sample. Logistic regression models only P(y | x).",
         BOUNDARY, {"boundary.dataset": ds.BLOBS, "boundary.models": ["Gaussian naive Bayes", "Logistic regression"],
                    "boundary.contours": True},
         "The two panels: only naive Bayes has density rings P(x | y).",
         "Generative models learn how each class's points are made; discriminative ones learn only where they split."),
    Step("Sampling new points",
         "Turn on sampling. What does logistic regression's panel show?",
         ("Stars like naive Bayes's", "A note that it cannot sample", "An error"), 1,
         "It has no P(x), so there is nothing to sample from; the panel says so.",
         BOUNDARY, {"boundary.dataset": ds.BLOBS, "boundary.models": ["Gaussian naive Bayes", "Logistic regression"],
                    "boundary.sample": True, "boundary.n_draw": 100},
         "The ★ in the naive Bayes panel, and the line 'Cannot sample' under logistic regression.",
         "Sampling: draw y from P(y), then x from P(x | y). That is what 'generative' means.",
         shows=("Cannot sample",)),
    Step("The prior shift",
         "Tell naive Bayes that class 1 is now 90 % of cases, without refitting. Where does its boundary move?",
         ("Towards class 0: more of the plane becomes class 1", "Towards class 1", "It does not move"), 0,
         "The posterior is prior × likelihood: a larger P(y = 1) makes class 1 win in more of the plane.",
         BOUNDARY, {"boundary.dataset": ds.BLOBS, "boundary.models": ["Gaussian naive Bayes", "Logistic regression"],
                    "boundary.use_prior": True, "boundary.prior": 0.9},
         "The naive Bayes boundary shifted towards the class-0 cloud; logistic regression's stays.",
         "A generative model keeps P(y) as a separate factor, so a new prior needs no new data."),
    Step("Ng & Jordan's learning curves",
         "With 30 irrelevant features, which model has the lower test error on about 20 training points? "
         "On a few hundred?",
         ("Naive Bayes on few, logistic regression on many", "Logistic regression on both",
          "Naive Bayes on both"), 0,
         "Naive Bayes reaches its (higher) asymptote fast; logistic regression needs more data but ends lower "
         "(Ng & Jordan, 2002).",
         BOUNDARY, NG_JORDAN,
         "Press *Compute learning curves*: the line under the chart names the lower model at each m: naive Bayes "
         "at m = 21, logistic regression at every m from 88 on.",
         "Generative models converge with O(log n) examples, discriminative ones with O(n), to a lower error.",
         shows=("Lowest mean test error",), press="Compute learning curves"),
))

LEARNING = Lesson("learning", "How a model learns",
                  "A loss, its surface, gradient descent on it, and backpropagation fitting sin(x).", (
    Step("The loss",
         "The true label is 1 and the model says ŷ = 0.5. What is the binary cross-entropy?",
         ("ln 2 ≈ 0.693", "0.5", "0"), 0,
         "BCE = −ln ŷ = −ln 0.5 = ln 2 ≈ 0.693.",
         LOSS, {"loss.y_hat": 0.5},
         "The BCE value at ŷ = 0.5 and the curve −ln ŷ.",
         "A loss turns 'how wrong' into one number to make smaller.",
         shows=("0.693",)),
    Step("BCE against squared error",
         "A confident mistake: y = 1 but ŷ = 0.01. Which loss punishes it more?",
         ("Cross-entropy", "Squared error", "The same"), 0,
         "BCE = −ln 0.01 ≈ 4.605 and grows without bound; the squared error ½(1 − ŷ)² = 0.490 is never above ½.",
         LOSS, {"loss.y_hat": 0.01},
         "The metric BCE (y=1) and the squared error ½(1 − ŷ)² under it, at ŷ = 0.01.",
         "Cross-entropy's gradient stays large for confident mistakes; squared error's flattens through the sigmoid.",
         shows=("4.605", "0.490")),
    Step("The surface",
         "Over the two weights (w, b) of a logistic model on overlapping data, how many minima has BCE?",
         ("One", "Many"), 0,
         "BCE of a logistic model is convex in (w, b): one bowl, one minimum.",
         LOSS, {"loss.data": "Overlapping", "loss.objective": "BCE", "loss.surfaces": True},
         "The contour map and the 3-D surface over (w, b): a single valley.",
         "Convexity is why logistic regression always finds the same answer."),
    Step("Gradient descent",
         "Raise the learning rate of plain gradient descent to its maximum, η = 30. What will the path do?",
         ("Overshoot and zig-zag or diverge", "Arrive faster and straighter", "Not move"), 0,
         "Steps larger than the curvature allows jump across the valley instead of down it.",
         LOSS, {"loss.data": "Overlapping", "loss.objective": "BCE", "loss.optimizer": "GD", "loss.lr": 30.0},
         "The path on the surface and the red note: it left the plot after one step (diverged).",
         "w ← w − η ∇L: the learning rate η sets the step; too big and it overshoots.",
         shows=("Diverged",)),
    Step("Backpropagation fitting sin(x)",
         "A network with two hidden layers of 32 tanh units learns y = sin(x). Can it fit a whole period?",
         ("Yes", "No, it can only fit straight lines"), 0,
         "A sum of enough tanh bumps approximates any smooth curve on an interval; training finds the weights.",
         BACKPROP, {"backprop.function": "sin(x)", "backprop.width": 32, "backprop.depth": 2,
                    "backprop.activation": "tanh"},
         "Press Train: within a few hundred steps the fitted line lies on sin(x) and the train MSE falls "
         "(tests/unit/backprop/test_mlp.py checks the defaults reach it).",
         "Backpropagation is the chain rule applied layer by layer, giving every weight its gradient."),
))

MAKING = Lesson("making", "Models that make new data",
                "A GAN on a ring, mode collapse, digits, and a language model finishing “where the sky”.", (
    Step("A GAN on the ring",
         "A generator sees only the discriminator's verdicts, never the real points. Can it learn the ring of 8?",
         ("Yes, it covers the modes", "No, it never sees the data"), 0,
         "The discriminator's gradient tells the generator which way is 'more real'; across seeds it covers the ring.",
         GAN, {"gan.target": targets.RING, "gan.loss": "non-saturating"},
         "Press Train: the fake points spread onto the ring's eight modes.",
         "The GAN learns to sample from P(x) without ever writing P(x) down."),
    Step("Mode collapse",
         "Make the generator learn three times faster than the discriminator on small batches. What happens?",
         ("It covers fewer modes and hops between them", "It learns faster and better", "Nothing changes"), 0,
         "G crowds onto wherever D is fooled, D catches up, G hops: fewer modes covered at a time.",
         GAN, {"gan.target": targets.RING, "gan.loss": "non-saturating", "gan.lr_g": 0.03, "gan.lr_d": 0.01,
               "gan.batch_size": 16, "gan.ema": False},
         "Train: the fake points bunch on one or a few modes and jump.",
         "Mode collapse: the generator's objective rewards fooling D, not covering P(x)."),
    Step("Digits",
         "The same game on 8×8 images of handwritten digits. What will the first samples look like?",
         ("Noise, then blurry strokes, then digit-like shapes", "Perfect digits at once"), 0,
         "G starts random; shapes appear as D teaches it what digits look like.",
         GAN, {"gan.digits.loss": "non-saturating"},
         "The digits tab: train and watch the grid of samples.",
         "A generative model of images is the same idea in 64 dimensions."),
    Step("Where the sky …",
         "A model trained on the corpus finishes “where the sky”. Which next word is more likely: “is” or “are”?",
         ("is", "are"), 0,
         "“sky” is singular: in the corpus it is followed by “is”, and the trained model learns that agreement.",
         NEXT_TOKEN, {"nexttoken.prompt": "where the sky"},
         "The next-word probabilities for the prompt.",
         "A language model is a generative model built from next-token classifiers: P(w₁…wₙ) = ∏ P(wₜ | w<ₜ).",
         ),
))

LESSONS: tuple[Lesson, ...] = (GENERATIVE, LEARNING, MAKING)
LESSON = Control("lesson", "Lesson", LESSONS[0].key, options=tuple(entry.key for entry in LESSONS), kind=RADIO,
                 horizontal=True)
"""The lesson page's one shareable setting: which lesson it shows."""


def lesson(key: str) -> Lesson:
    """Look a lesson up by key (KeyError if unknown)."""
    for entry in LESSONS:
        if entry.key == key:
            return entry
    raise KeyError(key)
