"""A tiny decoder-only transformer (GPT) and its trainer, in the style of nanoGPT's model.py.

Token and position embeddings, ``n_layer`` blocks of causal (masked) self-attention and an MLP, a
final LayerNorm and a linear head tied to the token embedding. Each position's output is a classifier
over the next token: logits → softmax → P(xₜ₊₁ | x≤ₜ). The mask stops a position from looking ahead.

For the live-training workers: ``build_trainer(NextTokenJob(...))`` builds text, model and trainer from
plain picklable settings, histories are bounded (``core.history``), and ``snapshot(trainer, view)``
is everything the page draws for the view it asked for (prompt, attention head and position, a
requested generation), small and picklable.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from core.history import History
from core.nexttoken.corpus import CorpusSettings, Text, agreement_accuracy, check_user_text, corpus_text
from core.nexttoken.sampling import Generation, generate


@dataclass(frozen=True)
class GPTConfig:
    """The architecture."""

    vocab_size: int
    block_size: int = 16
    """The longest context the model sees."""
    n_layer: int = 2
    n_head: int = 2
    n_embd: int = 32


def n_params(config: GPTConfig) -> int:
    """Trainable parameters of ``GPT(config)`` without building it (the tied head counted once).

    V·C + block·C token and position embeddings; per layer two LayerNorms (2·2C), attention
    C·3C + 3C and C·C + C, MLP C·4C + 4C and 4C·C + C; the final LayerNorm 2C."""
    C = config.n_embd
    per_layer = 4 * C + (3 * C * C + 3 * C) + (C * C + C) + (4 * C * C + 4 * C) + (4 * C * C + C)
    return config.vocab_size * C + config.block_size * C + config.n_layer * per_layer + 2 * C


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where position t attends only to positions ≤ t."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)  # q, k, v for all heads at once
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        mask = torch.tril(torch.ones(config.block_size, config.block_size, dtype=torch.bool))
        self.register_buffer("mask", mask.view(1, 1, config.block_size, config.block_size), persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, C = x.size()
        hs = C // self.n_head
        q, k, v = self.c_attn(x).split(C, dim=2)  # 3 × (B, T, C)
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)  # (B, nh, T, T)
        att = att.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)  # each row sums to 1 over positions ≤ t
        y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C): heads side by side
        return self.c_proj(y), att


class MLP(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(F.gelu(self.c_fc(x)))  # (B, T, C)


class Block(nn.Module):
    """Pre-LayerNorm transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a, att = self.attn(self.ln_1(x))
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, att


class GPT(nn.Module):
    """The whole model: ids (B, T) → logits (B, T, V)."""

    def __init__(self, config: GPTConfig, seed: int = 0) -> None:
        super().__init__()
        self.config = config
        generator = torch.Generator().manual_seed(seed)
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying, as in GPT-2
        for name, p in self.named_parameters():  # GPT-2 init, seeded without touching the global RNG
            with torch.no_grad():
                if name.endswith("bias"):
                    p.zero_()
                elif p.dim() >= 2:
                    std = 0.02 / math.sqrt(2 * config.n_layer) if name.endswith("c_proj.weight") else 0.02
                    p.copy_(torch.randn(p.shape, generator=generator) * std)

    def n_params(self) -> int:
        """Number of trainable parameters (the tied head counted once)."""
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx: torch.Tensor, *, with_attention: bool = False):
        """Logits (B, T, V); with ``with_attention`` also a list of (B, n_head, T, T), one per layer."""
        B, T = idx.size()
        assert T <= self.config.block_size, f"context of {T} tokens > block_size {self.config.block_size}"
        pos = torch.arange(T, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)  # (B, T, C)
        attentions = []
        for block in self.blocks:
            x, att = block(x)
            attentions.append(att)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        return (logits, attentions) if with_attention else logits

    @torch.no_grad()
    def next_logprobs(self, context: Sequence[int]) -> np.ndarray:
        """log P(next | context) over the vocabulary, from the last ``block_size`` tokens of the context."""
        ids = list(context)[-self.config.block_size:] or [0]
        logits = self(torch.tensor([ids], dtype=torch.long))[0, -1]  # (V,)
        return F.log_softmax(logits.double(), dim=-1).numpy()

    @torch.no_grad()
    def batch_next_probs(self, contexts: Sequence[Sequence[int]]) -> np.ndarray:
        """(N, V): P(next | context) for many contexts in one forward pass.

        Contexts of different lengths are padded on the right: the causal mask means padding after
        position t cannot change the logits at t, so each context is read at its own last position.
        """
        if not contexts:
            return np.zeros((0, self.config.vocab_size))
        rows = [list(c)[-self.config.block_size:] for c in contexts]
        T = max(len(r) for r in rows)
        idx = torch.tensor([r + [0] * (T - len(r)) for r in rows], dtype=torch.long)  # (N, T)
        last = torch.tensor([len(r) - 1 for r in rows])
        logits = self(idx)[torch.arange(len(rows)), last]  # (N, V)
        return F.softmax(logits.double(), dim=-1).numpy()

    @torch.no_grad()
    def attention(self, context: Sequence[int]) -> list[np.ndarray]:
        """Attention weights for one context: per layer an (n_head, T, T) array, rows = queries."""
        ids = list(context)[-self.config.block_size:]
        _, atts = self(torch.tensor([ids], dtype=torch.long), with_attention=True)
        return [a[0].numpy().astype(np.float32) for a in atts]


# --------------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainSettings:
    """How the trainer samples batches and updates the weights."""

    batch_size: int = 32
    learning_rate: float = 1e-2
    max_steps: int = 4000
    """Training pauses itself here (a shared server's CPU is precious)."""
    eval_every: int = 10
    """Steps between two points of the agreement curve."""
    seed: int = 0
    history: int = 256
    """Rows of loss and agreement history kept (then pairs merge): bounded, whatever the run's length."""


@dataclass(frozen=True)
class AgreementProbe:
    """The agreement test as ids: contexts, and the correct and wrong verb for each."""

    contexts: tuple[tuple[int, ...], ...]
    correct: np.ndarray
    wrong: np.ndarray

    @staticmethod
    def from_text(text: Text) -> AgreementProbe | None:
        """The held-out agreement contexts of ``text`` as ids (None when the text has no test)."""
        if not text.agreement:
            return None
        stoi = text.stoi
        return AgreementProbe(
            tuple(tuple(stoi[w] for w in c.words) for c in text.agreement),
            np.array([stoi[c.correct] for c in text.agreement]),
            np.array([stoi[c.wrong] for c in text.agreement]),
        )

    def probs(self, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """From (N, V) next-token probabilities: P(correct verb) and P(wrong verb) per context."""
        rows = np.arange(len(self.contexts))
        return probs[rows, self.correct], probs[rows, self.wrong]

    def accuracy(self, probs: np.ndarray) -> float:
        return agreement_accuracy(*self.probs(probs))


class GPTTrainer:
    """AdamW on next-token cross-entropy over random windows of the text; one ``step()`` per batch."""

    def __init__(self, text: Text, config: GPTConfig, settings: TrainSettings = TrainSettings()) -> None:
        self.config, self.settings = config, settings
        self.model = GPT(config, seed=settings.seed)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=settings.learning_rate,
                                           betas=(0.9, 0.99), weight_decay=0.0)
        self.data = torch.from_numpy(text.ids)
        self.starts = torch.from_numpy(text.starts)
        self.probe = AgreementProbe.from_text(text)
        self.generator = torch.Generator().manual_seed(settings.seed)
        self.offsets = torch.arange(config.block_size + 1)
        self.steps = 0
        self.loss_history = History(1, settings.history, mean=True)  # (step, mean loss of the steps it stands for)
        self.recent: deque[float] = deque(maxlen=50)  # the last steps' losses, for the metric
        self.agreement_record = History(1, settings.history)  # (step, agreement) every eval_every steps
        self.tokens_seen = 0
        self.train_seconds = 0.0
        self.generation: tuple[int, Generation] | None = None
        """The latest ``generate`` result, with its request id."""
        self.shown: View = View()
        """What the page shows (prompt, attention choice): what ``snapshot()`` computes for."""

    def batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, T) and y (B, T) = x shifted by one: every position predicts the token after it."""
        i = torch.randint(len(self.starts), (self.settings.batch_size,), generator=self.generator)
        windows = self.data[self.starts[i][:, None] + self.offsets]  # (B, T + 1)
        return windows[:, :-1], windows[:, 1:]

    def step(self) -> None:
        """One AdamW update on one batch."""
        t0 = time.perf_counter()
        x, y = self.batch()
        logits = self.model(x)  # (B, T, V)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.reshape(-1))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.steps += 1
        value = float(loss.item())
        self.loss_history.add(self.steps, value)
        self.recent.append(value)
        self.tokens_seen += x.numel()
        if self.probe is not None and self.steps % self.settings.eval_every == 0:
            self.agreement_record.add(self.steps, self.agreement())
        self.train_seconds += time.perf_counter() - t0

    def diverged(self) -> str | None:
        """A message when the loss is no longer a finite number (training cannot recover)."""
        if self.recent and not math.isfinite(self.recent[-1]):
            return (f"The loss became {self.recent[-1]} at step {self.steps}: the weights blew up. "
                    "Press Reset to start again.")
        return None

    @property
    def losses(self) -> list[float]:
        """Training loss per step while the history has room, then per 2, 4, ... steps (their mean)."""
        return self.loss_history.column(1)

    @property
    def loss_steps(self) -> list[int]:
        """The last step each entry of ``losses`` stands for."""
        return [int(s) for s in self.loss_history.column(0)]

    @property
    def agreement_steps(self) -> list[int]:
        return [int(s) for s in self.agreement_record.column(0)]

    @property
    def agreement_history(self) -> list[float]:
        return self.agreement_record.column(1)

    def done(self) -> bool:
        return self.steps >= self.settings.max_steps

    def agreement(self) -> float:
        """The model's accuracy on the held-out agreement contexts (NaN when the text has no test)."""
        if self.probe is None:
            return float("nan")
        return self.probe.accuracy(self.model.batch_next_probs(self.probe.contexts))

    @property
    def tokens_per_second(self) -> float:
        """Training throughput: tokens of batches processed per second spent in ``step()``."""
        return self.tokens_seen / self.train_seconds if self.train_seconds > 0 else 0.0

    def recent_loss(self, n: int = 50) -> float:
        """Mean training loss of the last ``n`` steps (NaN before the first step)."""
        return float(np.mean(list(self.recent)[-n:])) if self.recent else float("nan")

    def set_view(self, view: View) -> None:
        """The page's prompt and attention choice (a live setting, sent by the page)."""
        self.shown = view

    def snapshot(self) -> Snapshot:
        """The published snapshot for the page's current view."""
        return snapshot(self, self.shown)

    def generate(self, request: GenerateRequest) -> Generation:
        """Continue ``request.prompt`` with the current model (kept in ``generation`` for the next snapshot)."""
        rng = np.random.default_rng(list(request.seed))
        gen = generate(self.model.next_logprobs, request.prompt, request.n_tokens, temperature=request.temperature,
                       top_k=request.top_k, rng=rng)
        self.generation = (request.id, gen)
        return gen


@dataclass(frozen=True)
class GenerateRequest:
    """What Generate asks of the transformer; ``id`` tells the page which click a result answers."""

    id: int
    prompt: tuple[int, ...]
    n_tokens: int
    temperature: float
    top_k: int
    seed: tuple[int, ...]


@dataclass(frozen=True)
class NextTokenJob:
    """Plain, picklable settings a worker builds the trainer from: the text, the architecture, the training."""

    corpus_seed: int = 0
    user_text: str | None = None
    """Pasted text (already accepted by ``check_user_text``); None: the generated corpus."""
    n_layer: int = 2
    n_head: int = 2
    train: TrainSettings = field(default_factory=TrainSettings)


def job_text(job: NextTokenJob) -> Text:
    """The text ``job`` trains on (the generated corpus when the pasted text is missing or not accepted)."""
    if job.user_text is not None:
        text = check_user_text(job.user_text).text
        if text is not None:
            return text
    return corpus_text(CorpusSettings(seed=job.corpus_seed))


def job_config(job: NextTokenJob, text: Text) -> GPTConfig:
    return GPTConfig(len(text.vocab), n_layer=job.n_layer, n_head=job.n_head)


def build_trainer(job: NextTokenJob) -> GPTTrainer:
    """The page's trainer, built in a worker from plain settings."""
    text = job_text(job)
    return GPTTrainer(text, job_config(job, text), job.train)


@dataclass(frozen=True)
class Snapshot:
    """Everything the page draws from the transformer, taken at one instant."""

    steps: int
    loss: float
    tokens_per_second: float
    losses: np.ndarray
    agreement: float
    agreement_steps: np.ndarray
    agreement_history: np.ndarray
    """The agreement curve: the trainer's record every ``eval_every`` steps, plus the current point."""
    next_probs: np.ndarray | None
    """(V,) P(next | prompt), or None for an empty prompt."""
    attention: list[np.ndarray]
    agreement_probs: np.ndarray
    """(N, V) P(next | held-out context)."""
    loss_steps: np.ndarray | None = None
    """(len(losses),) the last step each entry of ``losses`` stands for (bounded history: see GPTTrainer)."""
    view: View | None = None
    """What the page asked to see (prompt, head and position): the numbers above are for it."""
    worked: AttentionWorked | None = None
    """The attention of the view's head at its position written out (None without a prompt or choice)."""
    generation: tuple[int, Generation] | None = None
    """The latest Generate result and its request id."""


@dataclass(frozen=True)
class View:
    """What the page shows of the transformer, sent to the worker as a live setting."""

    prompt: tuple[int, ...] = ()
    attention: tuple[int, int, int] | None = None
    """(layer, head, query position) for "Attention, written out"."""


def snapshot(trainer: GPTTrainer, prompt: Sequence[int] | View) -> Snapshot:
    """Read the trainer (between steps): a few small forward passes, no training. Small and picklable."""
    view = prompt if isinstance(prompt, View) else View(tuple(int(i) for i in prompt))
    prompt = view.prompt
    worked = None
    if prompt and view.attention is not None:
        try:
            worked = attention_written_out(trainer.model, prompt, *view.attention)
        except ValueError:  # a choice the model or the prompt no longer has: the page falls back
            worked = None
    probe_contexts = trainer.probe.contexts if trainer.probe is not None else ()
    probs = trainer.model.batch_next_probs([*probe_contexts, prompt] if prompt else probe_contexts)
    agreement_probs = probs[: len(probe_contexts)]
    agreement = trainer.probe.accuracy(agreement_probs) if trainer.probe is not None else float("nan")
    curve_steps, curve = list(trainer.agreement_steps), list(trainer.agreement_history)
    if trainer.probe is not None and (not curve_steps or curve_steps[-1] != trainer.steps):
        curve_steps.append(trainer.steps)  # the curve ends where the metric is now
        curve.append(agreement)
    losses = trainer.loss_history.array()
    return Snapshot(
        steps=trainer.steps,
        loss=trainer.recent_loss(),
        tokens_per_second=trainer.tokens_per_second,
        losses=losses[:, 1].astype(np.float32),
        agreement=agreement,
        agreement_steps=np.asarray(curve_steps, dtype=np.int64),
        agreement_history=np.asarray(curve, dtype=np.float32),
        next_probs=probs[-1].astype(np.float32) if prompt else None,
        attention=trainer.model.attention(prompt) if prompt else [],
        agreement_probs=agreement_probs.astype(np.float32),
        loss_steps=losses[:, 0].astype(np.int64),
        view=view,
        worked=worked,
        generation=trainer.generation,
    )


# --------------------------------------------------------------------------------------------------
# Attention written out: one head, one query position
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AttentionWorked:
    """softmax(q_t K^T / √d) V for one head and one query position t, every number of it."""

    layer: int
    head: int
    query: int  # t, 0-based
    d: int  # the head size, n_embd / n_head
    q: np.ndarray  # (d,) q_t
    k: np.ndarray  # (t + 1, d) k_j for j ≤ t
    v: np.ndarray  # (t + 1, d) v_j for j ≤ t
    scores: np.ndarray  # (t + 1,) q_t · k_j / √d
    weights: np.ndarray  # (t + 1,) softmax of the scores
    output: np.ndarray  # (d,) Σ_j weights_j v_j
    model_weights: np.ndarray  # (t + 1,) the same row of the model's own attention (the heatmap's source)


@torch.no_grad()
def attention_written_out(model: GPT, context: Sequence[int], layer: int, head: int,
                          query: int | None = None) -> AttentionWorked:
    """Attention of ``head`` in ``layer`` at position ``query`` (default: the last token), by hand from the weights.

    scoreⱼ = qₜ · kⱼ / √d for j ≤ t (the causal mask drops j > t), wⱼ = e^{scoreⱼ} / Σᵢ e^{scoreᵢ},
    output = Σⱼ wⱼ vⱼ: row t of softmax(QKᵀ/√d) V, one head's slice, before the output projection.
    Computed in float64 from the model's float32 activations; ``model_weights`` is the model's own row.
    """
    ids = list(context)[-model.config.block_size:]
    if not ids:
        raise ValueError("the context is empty: there is no position to attend from")
    cfg = model.config
    if not (0 <= layer < cfg.n_layer and 0 <= head < cfg.n_head):
        raise ValueError(f"layer {layer}, head {head} is not in a model of {cfg.n_layer} layers × {cfg.n_head} heads")
    t = len(ids) - 1 if query is None else int(query)
    if not 0 <= t < len(ids):
        raise ValueError(f"position {t} is not in a context of {len(ids)} tokens")
    idx = torch.tensor([ids], dtype=torch.long)
    x = model.wte(idx) + model.wpe(torch.arange(len(ids)))  # (1, T, C)
    atts = []
    for block in model.blocks[:layer + 1]:
        h_in = block.ln_1(x)  # the input of this block's attention
        x, att = block(x)
        atts.append(att)
    attn = model.blocks[layer].attn
    C, d = cfg.n_embd, cfg.n_embd // cfg.n_head
    q, k, v = attn.c_attn(h_in)[0].double().split(C, dim=1)  # 3 × (T, C)
    sl = slice(head * d, (head + 1) * d)
    q_t, K, V = q[t, sl].numpy(), k[: t + 1, sl].numpy(), v[: t + 1, sl].numpy()
    scores = K @ q_t / math.sqrt(d)  # (t + 1,)
    w = np.exp(scores - scores.max())
    w /= w.sum()
    return AttentionWorked(layer, head, t, d, q_t, K, V, scores, w, w @ V,
                           atts[layer][0, head, t, : t + 1].double().numpy())
