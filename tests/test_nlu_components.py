"""The two custom Rasa components, built the way Rasa builds them."""
import unicodedata

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.language_detector import LanguageDetector
from bot.nlu.normaliser import VietnameseNormaliser, neutralise_intent_syntax


@pytest.fixture
def context(tmp_path):
    return dict(
        config={},
        model_storage=LocalModelStorage(tmp_path),
        resource=Resource("component"),
        execution_context=ExecutionContext(GraphSchema({}), "test"),
    )


def test_normaliser_folds_live_messages(context):
    normaliser = VietnameseNormaliser.create(**context)
    [message] = normaliser.process([Message({"text": "Chủ GIỮ hộ chiếu của em"})])
    assert message.get("text") == "chu giu ho chieu cua em"


def test_normaliser_folds_training_data_and_keeps_entity_offsets(context):
    normaliser = VietnameseNormaliser.create(**context)
    text = "em đang ở Đài Bắc"
    example = Message(
        {"text": text, "intent": "inform", "entities": [{"start": 10, "end": 17, "value": "Đài Bắc", "entity": "city"}]}
    )
    processed = normaliser.process_training_data(TrainingData([example]))
    [folded] = processed.training_examples
    entity = folded.get("entities")[0]
    assert folded.get("text")[entity["start"]:entity["end"]] == "dai bac"


def test_normaliser_refuses_nfd_training_data_with_entities(context):
    normaliser = VietnameseNormaliser.create(**context)
    text = unicodedata.normalize("NFD", "em ở Đài Bắc")
    example = Message({"text": text, "entities": [{"start": 0, "end": 2, "value": "em", "entity": "x"}]})
    with pytest.raises(ValueError, match="NFC"):
        normaliser.process_training_data(TrainingData([example]))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/restart", " restart"),
        ('/greet{"language": "en"}', ' greet{"language": "en"}'),
        ("  //stop", "    stop"),
        ("chu giu ho chieu / giay to", "chu giu ho chieu / giay to"),
    ],
)
def test_intent_syntax_is_neutralised_without_changing_length(text, expected):
    assert neutralise_intent_syntax(text) == expected


def test_normalised_text_never_starts_with_a_slash(context):
    normaliser = VietnameseNormaliser.create(**context)
    [message] = normaliser.process([Message({"text": "/restart"})])
    assert not message.get("text").strip().startswith("/")


def test_language_detector_writes_parse_field_and_entity(context):
    detector = LanguageDetector.create(**context)
    vi, en = detector.process([Message({"text": "chao ban"}), Message({"text": "hello"})])
    assert vi.get("language") == "vi"
    assert vi.get("entities") == [
        {"entity": "language", "value": "vi", "start": 0, "end": 8, "extractor": "LanguageDetector"}
    ]
    assert en.get("language") == "en"
    assert "language" in vi.as_dict(only_output_properties=True)


def test_language_detector_writes_no_entity_when_the_text_does_not_tell(context):
    detector = LanguageDetector.create(**context)
    [message] = detector.process([Message({"text": "ok"})])
    assert message.get("language") is None
    assert not message.get("entities")
