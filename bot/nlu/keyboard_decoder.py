"""Rasa component: Vietnamese typed with the input method off (Telex, VNI) decoded, first of all.

Registered as a MESSAGE_TOKENIZER so that Rasa runs it on training and live text alike (see
bot/nlu/normaliser.py). It rewrites the message TEXT before the language detector and the
gazetteer read it, moving training entities' offsets with the words they cover; the tracker's
`UserUttered.text` keeps what the worker wrote. The decoding itself: bot/understanding/keyboard.py.
"""
from __future__ import annotations

import hashlib
import inspect
from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.stateless import StatelessComponent
from bot.understanding import keyboard


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class KeyboardDecoder(StatelessComponent):
    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # Rasa's training cache hashes only this class's source; the rules live in keyboard.py.
        return hashlib.sha256(inspect.getsource(keyboard).encode("utf-8")).hexdigest()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            chosen = keyboard.replacements(text)
            if not chosen:
                continue
            message.set(TEXT, keyboard.apply(text, chosen))
            for entity in message.get(ENTITIES) or []:
                entity[ENTITY_ATTRIBUTE_START] = keyboard.shift(entity[ENTITY_ATTRIBUTE_START], chosen)
                entity[ENTITY_ATTRIBUTE_END] = keyboard.shift(entity[ENTITY_ATTRIBUTE_END], chosen)
        return messages
