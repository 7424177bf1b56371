"""Rasa component: tag each message with its language, "vi" or "en".

It runs first in the pipeline, before the normaliser folds the diacritics away. The language
goes into the parse data (`language`) and, as a `language` entity, into the `language` slot.
When the text does not tell ("ok", "hi"), no entity is written and the slot keeps the
conversation's last language.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.stateless import StatelessComponent
from bot.understanding.language import clearly_written_in, detect_language

LANGUAGE_ENTITY = "language"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(StatelessComponent):

    @classmethod
    def required_packages(cls) -> List[str]:
        return ["langdetect"]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            message.set("language", detect_language(text), add_to_output=True)
            # Only a message clearly in one language may change the conversation's (the slot).
            clear = clearly_written_in(text)
            if clear is None:
                continue
            entity = {
                ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY,
                ENTITY_ATTRIBUTE_VALUE: clear,
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(text),
                EXTRACTOR: self.__class__.__name__,
            }
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
        return messages
