"""Details that notebook 13 (in the wild) relies on, kept out of the lesson."""

from alr_teach.problems.char_model import load_corpus, make_char_data


def test_the_lower_cased_essay_has_an_alphabet_of_32_characters():
    data = make_char_data(load_corpus(), context=6, val_fraction=0.1)
    assert data.vocab_size == 32
    assert data.alphabet == "".join(sorted(set(load_corpus())))
