"""The text a language model learns from: a seeded grammar about weather and the sky, or your own text.

The grammar hides a dependency a bigram model cannot see: number agreement across a phrase,
"the sky over the hills is …" / "the skies over the hills are …". The word just before the verb
("hills") is the same in both, so P(next | previous) cannot tell which verb comes; only a model that
looks further back (the subject noun) can. Some (noun, preposition, place) combinations are held out
of the corpus: they make the agreement test, so it measures generalisation, not memory.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from core.memo import fingerprint

# --------------------------------------------------------------------------------------------------
# The grammar
# --------------------------------------------------------------------------------------------------
BOUNDARY = "."
"""Ends every sentence; a prompt is read as if it started a sentence (it is prefixed with this token)."""
UNK = "<unk>"
"""Stands for the rare words of a pasted text that do not make the vocabulary."""

SUBJECTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("sky", "skies"): ("grey", "dark", "clear", "blue"),
    ("cloud", "clouds"): ("grey", "dark", "heavy", "low", "white"),
    ("wind", "winds"): ("cold", "warm", "calm", "strong", "wild"),
    ("star", "stars"): ("bright", "faint", "high"),
    ("storm", "storms"): ("wild", "heavy", "close", "strong"),
    ("rainbow", "rainbows"): ("bright", "faint", "wide"),
}
"""(singular, plural) subject nouns and the adjectives that suit them."""
VERBS = ("is", "are")
"""The verb agrees with the subject's number: singular → "is", plural → "are"."""
PREPOSITIONS = ("over", "above", "near", "beyond")
PLACES = ("hills", "sea", "town", "fields", "mountains", "river", "valley", "lakes", "coast", "roofs")
PLACE_ADJECTIVES = ("green", "old", "distant", "quiet")
TIMES = ("today", "tonight", "tomorrow")
OUTCOMES = ("rain", "snow", "be windy", "be fine", "stay dry", "clear up")
ADVICE = ("take an umbrella", "stay inside", "wear a coat", "go outside")


@dataclass(frozen=True)
class CorpusSettings:
    """How much text the grammar writes and how many combinations it keeps back for the test."""

    seed: int = 0
    n_sentences: int = 3000
    n_heldout: int = 30
    """(noun, preposition, place) triples that never appear in training; 2 test contexts each."""


@dataclass(frozen=True)
class AgreementContext:
    """A held-out context and the verb that must follow it."""

    words: tuple[str, ...]
    correct: str
    wrong: str


def _triples() -> list[tuple[int, str, str]]:
    return [(s, p, place) for s in range(len(SUBJECTS)) for p in PREPOSITIONS for place in PLACES]


def heldout_triples(settings: CorpusSettings) -> set[tuple[int, str, str]]:
    """The (subject index, preposition, place) combinations kept out of the corpus (seeded)."""
    triples = _triples()
    rng = np.random.default_rng([settings.seed, 1])
    chosen = rng.choice(len(triples), size=settings.n_heldout, replace=False)
    return {triples[i] for i in chosen}


def generate_sentences(settings: CorpusSettings = CorpusSettings()) -> list[str]:
    """``n_sentences`` sentences from the weather grammar, the same ones for the same seed."""
    rng = np.random.default_rng([settings.seed, 0])
    held = heldout_triples(settings)
    nouns = list(SUBJECTS)

    def pick(options: Sequence[str]) -> str:
        return str(options[rng.integers(len(options))])

    def subject(with_phrase: bool) -> tuple[str, str, str]:
        """'the sky over the old hills', its verb, an adjective that suits the noun."""
        while True:
            s, plural = int(rng.integers(len(nouns))), int(rng.integers(2))
            noun, adjectives = nouns[s][plural], SUBJECTS[nouns[s]]
            if not with_phrase:
                return f"the {noun}", VERBS[plural], pick(adjectives)
            prep, place = pick(PREPOSITIONS), pick(PLACES)
            if (s, prep, place) in held:
                continue
            place_adj = f"{pick(PLACE_ADJECTIVES)} " if rng.random() < 0.3 else ""
            return f"the {noun} {prep} the {place_adj}{place}", VERBS[plural], pick(adjectives)

    sentences = []
    for _ in range(settings.n_sentences):
        kind = rng.random()
        if kind < 0.40:
            np_, verb, adj = subject(True)
            when = f" {pick(TIMES)}" if rng.random() < 0.3 else ""
            sentence = f"{np_} {verb} {adj}{when}"
        elif kind < 0.60:
            np_, verb, adj = subject(rng.random() < 0.5)
            sentence = f"where {np_} {verb} {adj} it will {pick(OUTCOMES)}"
        elif kind < 0.75:
            np_, verb, adj = subject(False)
            sentence = f"when {np_} {verb} {adj} , {pick(ADVICE)}"
        elif kind < 0.90:
            np_, verb, adj = subject(False)
            sentence = f"{np_} {verb} {adj} {pick(TIMES)}"
        else:
            sentence = f"it will {pick(OUTCOMES)} {pick(TIMES)} , so {pick(ADVICE)}"
        sentences.append(f"{sentence} {BOUNDARY}")
    return sentences


def agreement_contexts(settings: CorpusSettings = CorpusSettings()) -> list[AgreementContext]:
    """Held-out contexts ". the sky over the hills" → "is" and ". the skies over the hills" → "are"."""
    nouns = list(SUBJECTS)
    contexts = []
    for s, prep, place in sorted(heldout_triples(settings), key=lambda t: (t[0], t[1], t[2])):
        for plural in (0, 1):
            words = (BOUNDARY, "the", nouns[s][plural], prep, "the", place)
            contexts.append(AgreementContext(words, VERBS[plural], VERBS[1 - plural]))
    return contexts


def agreement_accuracy(p_correct: np.ndarray, p_wrong: np.ndarray) -> float:
    """Share of contexts where P(correct verb) > P(wrong verb); a tie counts one half.

    A bigram model sees only the last word, which is the same for a singular and a plural context,
    so on this balanced test it scores exactly 0.5.
    """
    p_correct, p_wrong = np.asarray(p_correct, float), np.asarray(p_wrong, float)
    if p_correct.size == 0:
        return float("nan")
    return float(np.mean((p_correct > p_wrong) + 0.5 * (p_correct == p_wrong)))


# --------------------------------------------------------------------------------------------------
# Tokens and vocabulary
# --------------------------------------------------------------------------------------------------
TOKEN_RE = re.compile(r"\w+(?:'\w+)*|[.!?,;:]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words and punctuation marks; everything else (spaces, quotes, symbols) separates."""
    return TOKEN_RE.findall(text.lower())


@dataclass(frozen=True)
class Text:
    """A tokenised text ready for training: its vocabulary, token ids and the agreement test."""

    source: str
    vocab: tuple[str, ...]
    ids: np.ndarray
    """(N,) token ids, int64."""
    starts: np.ndarray
    """Positions where a training window may start (sentence starts when the text has them)."""
    sentences: tuple[str, ...] = ()
    agreement: tuple[AgreementContext, ...] = ()
    unk_count: int = 0

    @property
    def stoi(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.vocab)}

    @property
    def fingerprint(self) -> str:
        """Changes whenever the text or vocabulary does (a new text needs a new model)."""
        return fingerprint(self.ids, self.vocab)

    def decode(self, ids: Sequence[int]) -> list[str]:
        return [self.vocab[int(i)] for i in ids]


def build_text(tokens: Sequence[str], *, source: str, max_vocab: int | None = None, block_size: int = 16,
               sentences: Sequence[str] = (), agreement: Sequence[AgreementContext] = ()) -> Text:
    """Vocabulary by frequency (ties alphabetical, "." first), ids, and the window start positions.

    With ``max_vocab``, words beyond the most frequent ``max_vocab`` become ``<unk>``.
    """
    counts = Counter(tokens)
    order = sorted(counts, key=lambda w: (w != BOUNDARY, -counts[w], w))
    unk_count = 0
    if max_vocab is not None and len(order) > max_vocab:
        kept = set(order[:max_vocab])
        unk_count = sum(c for w, c in counts.items() if w not in kept)
        tokens = [w if w in kept else UNK for w in tokens]
        order = order[:max_vocab] + [UNK]
    stoi = {w: i for i, w in enumerate(order)}
    ids = np.array([stoi[w] for w in tokens], dtype=np.int64)
    last = len(ids) - block_size - 1
    boundary = stoi.get(BOUNDARY)
    starts = np.flatnonzero(ids[: max(last, 0) + 1] == boundary) if boundary is not None else np.array([])
    if len(starts) < 10:
        starts = np.arange(max(last, 0) + 1)
    return Text(source, tuple(order), ids, starts.astype(np.int64), tuple(sentences), tuple(agreement),
                unk_count)


def corpus_text(settings: CorpusSettings = CorpusSettings(), block_size: int = 16) -> Text:
    """The generated weather corpus, tokenised, with its held-out agreement test."""
    sentences = generate_sentences(settings)
    tokens = [BOUNDARY] + [t for s in sentences for t in tokenize(s)]
    return build_text(tokens, source="generated corpus", block_size=block_size, sentences=sentences,
                      agreement=agreement_contexts(settings))


# --------------------------------------------------------------------------------------------------
# Your own text
# --------------------------------------------------------------------------------------------------
MAX_BYTES = 50_000
"""Pasted text: at most 50 KB (UTF-8)."""
MIN_TOKENS = 50
MIN_DISTINCT = 5
MAX_VOCAB = 300
"""A pasted text keeps its 300 most frequent tokens; rarer words become <unk>."""


@dataclass
class TextCheck:
    """A validated pasted text (``text`` is None when there are errors) and messages for the student."""

    text: Text | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_user_text(raw: str | None, block_size: int = 16) -> TextCheck:
    """Validate pasted text: not empty, at most 50 KB, text rather than binary, long enough to learn."""
    check = TextCheck()
    raw = raw or ""
    size = len(raw.encode("utf-8", errors="replace"))
    if not raw.strip():
        check.errors.append("Paste some text first: the box is empty.")
        return check
    if size > MAX_BYTES:
        check.errors.append(f"The text is {size / 1000:.1f} KB; the limit is {MAX_BYTES // 1000} KB. "
                            "Paste a shorter piece.")
        return check
    control = sum(1 for ch in raw if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n\r\t")
    visible = [ch for ch in raw if not ch.isspace()]
    letters = sum(ch.isalpha() for ch in visible)
    if control > 0.01 * len(raw) or "\x00" in raw or letters < 0.5 * len(visible):
        check.errors.append("This does not look like text (too few letters, or control characters as "
                            "in a binary file). Paste ordinary sentences.")
        return check
    tokens = tokenize(raw)
    if len(tokens) < MIN_TOKENS or len(set(tokens)) < MIN_DISTINCT:
        check.errors.append(f"The text is too short: {len(tokens)} tokens, {len(set(tokens))} different. "
                            f"Paste at least {MIN_TOKENS} words with {MIN_DISTINCT} different ones.")
        return check
    tokens = [BOUNDARY] + tokens if tokens[0] != BOUNDARY else tokens
    text = build_text(tokens, source="your text", max_vocab=MAX_VOCAB, block_size=block_size)
    check.text = text
    if text.unk_count:
        check.warnings.append(f"Your text has {len(set(tokens))} different tokens; the {MAX_VOCAB} most "
                              f"frequent are kept and the other {text.unk_count} occurrences become {UNK}.")
    return check


# --------------------------------------------------------------------------------------------------
# Prompts
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prompt:
    """A prompt as token ids (starting with "." when the vocabulary has it) and what was not known."""

    ids: tuple[int, ...]
    words: tuple[str, ...]
    unknown: tuple[str, ...]
    handling: str
    """How unknown words were handled: "dropped" or "mapped to <unk>"."""

    @property
    def empty(self) -> bool:
        """True when no word of the prompt is usable (the context is at most the sentence start)."""
        return all(w == BOUNDARY for w in self.words)


def encode_prompt(prompt: str | None, text: Text) -> Prompt:
    """Tokenise a prompt; unknown words are mapped to <unk> if the vocabulary has it, else dropped."""
    stoi = text.stoi
    handling = f"mapped to {UNK}" if UNK in stoi else "dropped"
    words, unknown = [], []
    for w in tokenize(prompt or ""):
        if w in stoi:
            words.append(w)
        else:
            unknown.append(w)
            if UNK in stoi:
                words.append(UNK)
    if BOUNDARY in stoi and (not words or words[0] != BOUNDARY):
        words.insert(0, BOUNDARY)
    return Prompt(tuple(stoi[w] for w in words), tuple(words), tuple(dict.fromkeys(unknown)), handling)
