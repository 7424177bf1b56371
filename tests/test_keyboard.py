"""Telex and VNI typed with the Vietnamese keyboard off, decoded only where it is surely that."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.keyboard_decoder import KeyboardDecoder
from bot.understanding.keyboard import decode, decode_telex, decode_vni, replacements, shift
from bot.understanding.text import fold


@pytest.mark.parametrize("typed, meant", [
    ("cuwus", "cứu"), ("nhoots", "nhốt"), ("ddanhs", "đánh"), ("khoong", "không"), ("ngoaif", "ngoài"),
    ("nguwowif", "người"), ("nguowif", "người"), ("nguoiwf", "người"), ("dduwowcj", "được"),
    ("vieejc", "việc"), ("luwowng", "lương"), ("chieeus", "chiếu"), ("giuwx", "giữ"), ("nhw", "như"),
    ("bij", "bị"), ("gif", "gì"), ("quas", "quá"), ("Thangs", "Tháng"), ("mootj", "một"),
])
def test_telex_words_become_vietnamese(typed, meant):
    assert decode_telex(typed) == meant


@pytest.mark.parametrize("typed, meant", [("cu71u", "cứu"), ("vie65c", "việc"), ("o73", "ở"), ("d9i", "đi")])
def test_vni_words_become_vietnamese(typed, meant):
    assert decode_vni(typed) == meant


@pytest.mark.parametrize("code", ["a1", "t7", "4g", "3g", "k2", "mp3", "2tr", "30k"])
def test_codes_and_abbreviations_are_not_vni(code):
    assert decode(f"em o tang {code}") == f"em o tang {code}"


@pytest.mark.parametrize("message", [
    "chu giu ho chieu cua em ko tra",  # unaccented Vietnamese stays as it is
    "e muon ve nha, nguoi ta khong cho",
    "my boss has my passport",  # English, even where a word would decode ("has" → "há")
    "is it good food or not",
    "SOS help me",  # an SOS is never "só"
    "hix hix em nho con",  # crying, not "hi"
    "em ở Đài Loan, chủ tốt lắm",  # already written with marks
    "xoong nồi bẩn quá",  # one of the few real "oo" words
    "em lam o Taiwan, Dubai, Riyadh",
])
def test_what_is_not_telex_is_left_alone(message):
    assert decode(message) == message


@pytest.mark.parametrize("typed, meant", [
    ("bij ddanhs, khoong cho ra ngoaif", "bị đánh, không cho ra ngoài"),
    ("em cos bij chur ddanhs", "em có bị chủ đánh"),  # "cos" is English, but not in this message
    ("cu71u em vo71i", "cứu em với"),
    ("em khoong ddc ra ngoaif", "em không đc ra ngoài"),
    ("e muon chet qua chij oi", "e muon chet qua chị oi"),
])
def test_messages_typed_with_the_keyboard_off_are_decoded(typed, meant):
    assert decode(typed) == meant


def test_a_common_english_word_is_decoded_only_among_telex_words():
    assert decode("cos ai o day khong") == "cos ai o day khong"
    assert decode("cos ai ddaau khoong") == "có ai đâu không"


def test_offsets_move_with_the_words():
    text = "chur ddanhs em o Ddaif Loan"
    chosen = replacements(text)
    decoded = decode(text)
    start, end = text.index("Ddaif Loan"), len(text)
    assert decoded[shift(start, chosen):shift(end, chosen)] == "Đài Loan"
    assert shift(0, chosen) == 0 and shift(text.index("em"), chosen) == decoded.index("em")


def test_folding_the_decoded_text_gives_what_the_classifier_was_trained_on():
    assert fold(decode("bij ddanhs, khoong cho ra ngoaif")) == "bi danh, khong cho ra ngoai"


def test_the_component_decodes_training_examples_and_moves_their_entities():
    text = "em bij nhoots o Ddaif Loan"
    example = Message({TEXT: text, ENTITIES: [
        {"entity": "country", "value": "TW", "start": text.index("Ddaif"), "end": len(text)},
    ]})
    KeyboardDecoder().process_training_data(TrainingData([example]))
    [entity] = example.get(ENTITIES)
    assert example.get(TEXT) == "em bị nhốt o Đài Loan"
    assert example.get(TEXT)[entity["start"]:entity["end"]] == "Đài Loan"


def test_the_component_decodes_live_messages():
    [message] = KeyboardDecoder().process([Message({TEXT: "cuwus em"})])
    assert message.get(TEXT) == "cứu em"
