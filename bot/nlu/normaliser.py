"""Rasa component: fold Vietnamese text before tokenising, in training and at prediction alike.

Registered as a MESSAGE_TOKENIZER so that Rasa puts it in both graphs: registered as anything
else, training text would stay accented while live text is folded. It rewrites the message
TEXT; the tracker's `UserUttered.text` keeps what the worker wrote.
"""
from __future__ import annotations

import hashlib
import inspect
import re
from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.stateless import StatelessComponent
from bot.understanding import text as text_module
from bot.understanding.text import fold, nfc

# A leading "/" would let Rasa read the text as "/intent{...}" and skip NLU (a worker typing
# "/restart" would reset her conversation). Blanking it keeps the length, hence entity offsets.
_LEADING_SLASHES = re.compile(r"^[\s/]*/")


def neutralise_intent_syntax(text: str) -> str:
    match = _LEADING_SLASHES.match(text)
    if not match:
        return text
    return match.group(0).replace("/", " ") + text[match.end():]


def normalise(text: str) -> str:
    return neutralise_intent_syntax(fold(nfc(text)))


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class VietnameseNormaliser(StatelessComponent):
    """NFC, lower case, diacritics folded (đ→d), leading "/" blanked; length kept."""


    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # Rasa's training cache hashes only this class's source; the folding lives in bot.understanding.text.
        source = inspect.getsource(text_module) + inspect.getsource(neutralise_intent_syntax)
        return hashlib.sha256(source.encode("utf-8")).hexdigest()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            original = message.get(TEXT)
            if not isinstance(original, str):
                continue
            if message.get(ENTITIES) and len(nfc(original)) != len(original):
                raise ValueError(
                    f"Training example is not NFC-normalised, entity offsets would break: "
                    f"{original!r}. Save the data file as NFC (precomposed) Unicode."
                )
            message.set(TEXT, normalise(original))
        return messages
