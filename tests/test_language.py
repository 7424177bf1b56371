import pytest

from bot.language import detect_language, detect_language_or


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


def test_undecided_text_falls_back_to_the_conversation_language():
    assert detect_language_or("ok", "en") == "en"
    assert detect_language_or("ok", "vi") == "vi"
    assert detect_language_or("chao ban", "en") == "vi"
