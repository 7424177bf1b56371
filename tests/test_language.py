import pytest

from bot.understanding.language import best_guess, detect_language


@pytest.mark.parametrize(
    "text",
    [
        "xin chào",
        "chao ban",
        "chu giu ho chieu cua em",
        "e ko dc tra luong 3 thang r",
        "mk bi danh",
        "cam on",
        "Tôi bị chủ giữ hộ chiếu",
        "alo",
        "co ai ko",
        "e o dai loan",
        "ko",
        "dc",
    ],
)
def test_vietnamese_with_or_without_diacritics_and_teen_code(text):
    assert detect_language(text) == "vi"


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "my boss took my passport",
        "help me please",
        "I have not been paid for three months",
        "thank you",
        "is this a real person",
        "I want to talk to a person",
    ],
)
def test_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["ok", "hi", "??", "123", "😢", "..."])
def test_short_or_ambiguous_texts_do_not_decide(text):
    assert detect_language(text) is None


@pytest.mark.parametrize("text", ["1500 usd", "45tr", "0", "4000 ringgit", "25000 NT"])
def test_an_amount_answering_the_fee_checker_does_not_switch_the_language(text):
    assert detect_language(text) is None


def test_with_no_conversation_to_fall_back_on_a_best_guess_is_made():
    assert best_guess("??") == "vi"
    assert best_guess("help me now") == "en"

