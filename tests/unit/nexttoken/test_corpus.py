"""The weather grammar, tokenisation, vocabulary, pasted-text validation and prompts."""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

from core.nexttoken.corpus import (
    BOUNDARY,
    MAX_BYTES,
    PLACE_ADJECTIVES,
    PLACES,
    PREPOSITIONS,
    SUBJECTS,
    UNK,
    CorpusSettings,
    agreement_accuracy,
    agreement_contexts,
    build_text,
    check_user_text,
    corpus_text,
    encode_prompt,
    generate_sentences,
    heldout_triples,
    tokenize,
)

SINGULAR = {s for s, _ in SUBJECTS}
PLURAL = {p for _, p in SUBJECTS}
PHRASE = re.compile(
    rf"the (\w+) ({'|'.join(PREPOSITIONS)}) the (?:(?:{'|'.join(PLACE_ADJECTIVES)}) )?({'|'.join(PLACES)}) (is|are)\b"
)


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return generate_sentences(CorpusSettings())


def test_generator_is_seeded():
    assert generate_sentences(CorpusSettings(seed=3)) == generate_sentences(CorpusSettings(seed=3))
    assert generate_sentences(CorpusSettings(seed=3)) != generate_sentences(CorpusSettings(seed=4))
    assert heldout_triples(CorpusSettings(seed=3)) == heldout_triples(CorpusSettings(seed=3))


def test_corpus_has_both_sides_of_the_agreement_and_always_agrees(sentences):
    matches = [m.groups() for s in sentences for m in PHRASE.finditer(s)]
    singular = [m for m in matches if m[0] in SINGULAR]
    plural = [m for m in matches if m[0] in PLURAL]
    assert len(singular) > 200 and len(plural) > 200
    assert all(verb == "is" for *_, verb in singular)
    assert all(verb == "are" for *_, verb in plural)
    # The attractor: plural places after singular subjects and the other way round both occur.
    assert any(place == "hills" for _, _, place, _ in singular) and any(place == "sea" for _, _, place, _ in plural)


def test_heldout_combinations_never_appear_in_the_corpus(sentences):
    settings = CorpusSettings()
    nouns = list(SUBJECTS)
    held = {(nouns[s][n], prep, place) for s, prep, place in heldout_triples(settings) for n in (0, 1)}
    seen = {(noun, prep, place) for s in sentences for noun, prep, place, _ in PHRASE.findall(s)}
    assert len(held) == 2 * settings.n_heldout
    assert not held & seen
    assert len(seen) > 300  # the rest of the combinations are well covered


def test_agreement_contexts_are_balanced_pairs():
    contexts = agreement_contexts(CorpusSettings())
    assert len(contexts) == 2 * CorpusSettings().n_heldout
    for sing, plur in zip(contexts[::2], contexts[1::2], strict=True):
        assert sing.words[0] == BOUNDARY and sing.words[3:] == plur.words[3:]
        assert (sing.words[2], sing.correct, sing.wrong) in {(s, "is", "are") for s in SINGULAR}
        assert (plur.words[2], plur.correct, plur.wrong) in {(p, "are", "is") for p in PLURAL}


def test_agreement_accuracy_counts_ties_as_half():
    assert agreement_accuracy(np.array([0.9, 0.2, 0.5, 0.4]), np.array([0.1, 0.7, 0.5, 0.3])) == pytest.approx(
        (1 + 0 + 0.5 + 1) / 4)
    assert np.isnan(agreement_accuracy(np.array([]), np.array([])))


def test_tokenize_words_and_punctuation():
    assert tokenize("Where the sky's GREY, it rains!  (Maybe.)") == [
        "where", "the", "sky's", "grey", ",", "it", "rains", "!", "maybe", "."]
    assert tokenize("") == []


def test_vocabulary_by_frequency_and_ids_round_trip():
    tokens = tokenize(". b a b c . b a .")
    text = build_text(tokens, source="t", block_size=2)
    assert text.vocab == (".", "b", "a", "c")  # "." first, then by count, ties alphabetical
    assert text.decode(text.ids) == tokens
    capped = build_text(tokens, source="t", max_vocab=2, block_size=2)
    assert capped.vocab == (".", "b", UNK)
    assert capped.unk_count == 3 and capped.decode(capped.ids).count(UNK) == 3


def test_corpus_text_windows_start_at_sentence_starts():
    text = corpus_text()
    assert len(text.vocab) == len(set(text.vocab)) < 100
    assert set(np.unique(text.ids[text.starts])) == {text.stoi[BOUNDARY]}
    assert text.starts.max() + 16 + 1 <= len(text.ids)
    assert text.fingerprint == corpus_text().fingerprint != corpus_text(CorpusSettings(seed=1)).fingerprint


PARAGRAPH = ("The rain in the valley fell all night and the river rose over its banks. In the morning the "
             "farmers walked along the river and looked at the fields. The sky was grey and low, and nobody "
             "could say when the rain would stop. By noon the wind turned and the clouds broke apart. ") * 2


@pytest.mark.parametrize(("raw", "fragment"), [
    ("", "empty"),
    ("   \n ", "empty"),
    ("the sky is grey .", "too short"),
    ("a " * 60, "too short"),  # 60 tokens but one distinct word
    ("x" * (MAX_BYTES + 1), "limit is 50 KB"),
    ("é" * (MAX_BYTES // 2 + 1), "limit is 50 KB"),  # 2 bytes per character in UTF-8
    ("\x00\x01\x02PK\x03\x04" * 40, "does not look like text"),
    ("1234 5678 9012 " * 40, "does not look like text"),
])
def test_bad_user_text_gets_a_clear_error(raw, fragment):
    check = check_user_text(raw)
    assert check.text is None
    assert len(check.errors) == 1 and fragment in check.errors[0]


def test_good_user_text_becomes_a_text():
    check = check_user_text(PARAGRAPH)
    assert not check.errors and not check.warnings
    text = check.text
    assert text.source == "your text" and not text.agreement
    assert text.vocab[0] == BOUNDARY and "river" in text.vocab
    assert text.decode(text.ids)[1:6] == ["the", "rain", "in", "the", "valley"]


def test_large_vocabulary_is_capped_with_a_warning():
    words = " ".join(f"w{i} common" for i in range(400)) + " ."
    check = check_user_text(words)
    assert check.text is not None and len(check.text.vocab) == 301 and check.text.vocab[-1] == UNK
    assert "<unk>" in check.warnings[0]


def test_prompt_unknown_words_are_dropped_for_the_corpus():
    text = corpus_text()
    prompt = encode_prompt("Where the TORNADO sky banana", text)
    assert prompt.words == (BOUNDARY, "where", "the", "sky")
    assert prompt.unknown == ("tornado", "banana") and prompt.handling == "dropped"
    assert text.decode(prompt.ids) == list(prompt.words)


def test_prompt_unknown_words_map_to_unk_when_the_text_has_it():
    text = check_user_text(" ".join(f"w{i} common" for i in range(400))).text
    prompt = encode_prompt("common zebra", text)
    assert prompt.words == (BOUNDARY, "common", UNK) and prompt.unknown == ("zebra",)
    assert prompt.handling == f"mapped to {UNK}"


def test_empty_prompt_is_the_sentence_start():
    text = corpus_text()
    for raw in ("", None, "   ", "zzz qqq", "..."):
        prompt = encode_prompt(raw, text)
        assert prompt.empty
        assert prompt.ids[:1] == (text.stoi[BOUNDARY],)
    assert not encode_prompt("the", text).empty


def test_counts_match_the_text():
    text = corpus_text()
    counts = np.bincount(text.ids, minlength=len(text.vocab))
    assert np.all(np.diff(counts[1:]) <= 0)  # frequency order after "."
    assert_allclose(counts.sum(), len(text.ids))
