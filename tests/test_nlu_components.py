"""The custom Rasa NLU components, built, trained, persisted and loaded the way Rasa does it."""
import unicodedata

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.classifier import ClassifierNotTrained, TfidfIntentClassifier
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
    vi, en = detector.process([Message({"text": "chào bạn"}), Message({"text": "my boss took my passport"})])
    assert vi.get("language") == "vi"
    assert vi.get("entities") == [
        {"entity": "language", "value": "vi", "start": 0, "end": 8, "extractor": "LanguageDetector"}
    ]
    assert en.get("language") == "en" and en.get("entities")[0]["value"] == "en"
    assert "language" in vi.as_dict(only_output_properties=True)


@pytest.mark.parametrize("text", ["help", "e o kuwait", "cam on can bo", "hello", "ok chi"])
def test_a_short_or_mixed_message_never_changes_the_conversations_language(context, text):
    [message] = LanguageDetector.create(**context).process([Message({"text": text})])
    assert not message.get("entities")


def test_language_detector_writes_no_entity_when_the_text_does_not_tell(context):
    detector = LanguageDetector.create(**context)
    [message] = detector.process([Message({"text": "ok"})])
    assert message.get("language") is None
    assert not message.get("entities")


# --- the intent classifier: train, persist, load, predict ---------------------------------------

EXAMPLES = {
    "abuse_passport_withheld": ["chu giu ho chieu cua em", "boss keeps my passport", "cong ty giu passport cua em",
                      "they took my passport", "ong chu khong tra ho chieu"],
    "greet": ["xin chao", "hello", "chao chi", "hi there", "alo chi oi"],
    "abuse_unpaid_wages": ["3 thang chua tra luong", "no salary for 3 months", "chu no luong em",
                           "boss does not pay my salary", "khong duoc tra luong"],
    "emergency_violence": ["chu danh em", "he beats me every day", "ba chu tat em chay mau",
                           "my boss hit me with a stick", "bi danh dap"],
}


def training_data() -> TrainingData:
    return TrainingData([Message({TEXT: text, INTENT: intent}) for intent, texts in EXAMPLES.items() for text in texts])


def test_the_classifier_trains_persists_loads_and_predicts_the_full_distribution(context):
    trained = TfidfIntentClassifier.create(**context)
    resource = trained.train(training_data())
    loaded = TfidfIntentClassifier.load(**{**context, "resource": resource})
    [passport, hello] = loaded.process([Message({TEXT: "chu giu ho chieu"}), Message({TEXT: "hello chi"})])
    assert passport.get(INTENT)["name"] == "abuse_passport_withheld"
    assert hello.get(INTENT)["name"] == "greet"
    ranking = passport.get("intent_ranking")
    assert {r["name"] for r in ranking} == set(EXAMPLES)
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)


def test_the_loaded_classifier_predicts_what_the_trained_one_did(context):
    trained = TfidfIntentClassifier.create(**context)
    resource = trained.train(training_data())
    loaded = TfidfIntentClassifier.load(**{**context, "resource": resource})
    texts = ["em bi giu passport", "chua co luong", "chao em"]
    before = [m.get("intent_ranking") for m in trained.process([Message({TEXT: t}) for t in texts])]
    after = [m.get("intent_ranking") for m in loaded.process([Message({TEXT: t}) for t in texts])]
    assert before == after


def test_the_classifier_refuses_to_load_without_its_model(context):
    with pytest.raises(ClassifierNotTrained, match="make train"):
        TfidfIntentClassifier.load(**context)


def test_the_classifier_refuses_to_train_on_nothing(context):
    with pytest.raises(ClassifierNotTrained):
        TfidfIntentClassifier.create(**context).train(TrainingData([]))


def test_an_untrained_classifier_never_answers_silently(context):
    with pytest.raises(ClassifierNotTrained):
        TfidfIntentClassifier.create(**context).process([Message({TEXT: "cuu em"})])
