import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.text import fold, has_vietnamese_marks, words


def test_fold_removes_tones_and_marks_and_d_bar():
    assert fold("Chủ giữ hộ chiếu của em ở Đài Loan") == "chu giu ho chieu cua em o dai loan"
    assert fold("đang ĐI") == "dang di"


def test_fold_leaves_unaccented_text_as_it_is_but_lower_case():
    assert fold("chu giu ho chieu cua em") == "chu giu ho chieu cua em"
    assert fold("HELP Me") == "help me"


@given(st.text())
def test_fold_keeps_the_length_of_nfc_text(text):
    text = unicodedata.normalize("NFC", text)
    assert len(fold(text)) == len(text)


def test_fold_keeps_entity_offsets():
    text = "Em đang ở Đài Bắc"
    start = text.index("Đài Bắc")
    assert fold(text)[start:start + len("Đài Bắc")] == "dai bac"


def test_vietnamese_marks_are_recognised_in_nfc_and_nfd():
    assert has_vietnamese_marks("tôi")
    assert has_vietnamese_marks(unicodedata.normalize("NFD", "chủ giữ"))
    assert has_vietnamese_marks("đi")
    assert not has_vietnamese_marks("chu giu ho chieu")
    assert not has_vietnamese_marks("my boss took my passport")


def test_words_are_folded_tokens():
    assert words("Chủ, giữ hộ-chiếu!") == ["chu", "giu", "ho", "chieu"]
