"""The next-token lab's teaching text: what each figure shows and what to try (every prompt's outcome is checked
by the lab's tests)."""

INTRO = ("A language model is a **generative** model of text: it gives every sentence a probability and can write new "
         "ones. It is built from **discriminative** pieces: the product rule, applied again and again, turns the "
         "joint probability into a chain of next-token classifiers.")

CHAIN_RULE = (r"P(x_1, x_2, \dots, x_n) = P(x_1)\,P(x_2 \mid x_1) \cdots P(x_n \mid x_{<n})"
              r" = \prod_{t=1}^{n} P(x_t \mid x_{<t})")


def agreement_hidden(n_contexts: int) -> str:
    """The caption under the corpus that says what the agreement test is."""
    return ("Hidden in the grammar: the verb agrees with a noun several words back (*the sky over the hills **is***, "
            "*the skies over the hills **are***). Some noun–preposition–place combinations are held out of the "
            f"corpus; their {n_contexts} contexts make the agreement test below.")


BIGRAM_WHAT_YOU_SEE = (
    "Each row is a probability distribution over the next token given the previous one, read off the counts c_ij "
    "(add-α smoothing gives unseen pairs a little mass). The row for *hills* is the same whichever noun came before "
    "it: a bigram cannot make the verb agree.")

LIVE_WHAT_YOU_SEE = (
    "Bars show the distribution a token is drawn from (after T and top-k). The bigram sees only the last word; the "
    "transformer attends to the whole prompt, so after a few seconds of training it puts *is* after a singular "
    "subject and *are* after a plural one, even for held-out combinations. Attention row t shows where position t "
    "looks; the mask makes the upper triangle empty.")


def agreement_caption(agreement: float) -> str:
    """The caption over the agreement test's table."""
    return (f"Right when P(needed verb) > P(other verb). Transformer {100 * agreement:.0f} %, bigram 50 %: it gives "
            "both contexts of a pair the same row, so it is right for one of them.")


def worked_caption(steps: int) -> str:
    """The caption under the written-out attention."""
    return (f"At step {steps:,}, when the page last ran (Pause to read a fixed model). q, k and v are this head's "
            "slices of the layer's input times its query, key and value weights; the model's own wⱼ (the heatmap's "
            "row t) agree with the hand computation. o_t then goes, with the other heads' outputs beside it, "
            "through the output projection.")


WORKED_ON_ITS_WAY = ("The written-out attention for this choice is on its way from the training pool; it appears "
                     "when the page next redraws.")

GENERATION_CAPTION = ("'P model' is the model's probability of the chosen token; 'P sampled' the probability it was "
                      "drawn with.")

TRY_THIS = (
    "Before training, compare the bars for *the sky over the hills* and *the skies over the hills*: the bigram bars "
    "are identical (it sees only *hills*). Press Train: within 200 steps the transformer puts *is* first for one and "
    "*are* for the other, and Agreement climbs above 95 %.",
    "Watch the loss: it starts at ln V (≈ 4.3 nats, a uniform guess over 77 tokens) and settles near 1.1, the "
    "uncertainty the grammar itself leaves (which adjective, which place).",
    "After training, prompt *the skies over the hills*: in layer 1 one head's last row (*hills*) looks mostly at "
    "*skies*, four words back. That is how the transformer sees the subject.",
    "Under *Attention, written out*, pick that layer and head: the largest wⱼ sits under *skies*, and o_t is mostly "
    "that position's value vector vⱼ.",
    "Set the temperature to 0 (or top-k to 1): every bar chart collapses onto one token, and Generate writes the "
    "same continuation on every click.",
    "Raise the temperature to 2: the bars flatten and the chosen tokens' 'P sampled' values drop.",
    "Type *where the tornado is*: the page names *tornado* as unknown and drops it.",
)
