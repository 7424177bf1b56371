"""Rasa component: the country, the city and the occupation a message names, as entities.

A phrase list (bot.understanding.gazetteer) rather than a trained extractor: the values must be exact ISO
codes, and a list is easy to extend with the next city a worker names. Runs before the
normaliser, on the text as written; the offsets are those of that text.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.stateless import StatelessComponent
from bot.understanding.gazetteer import find_cities, find_countries, find_occupations
from bot.understanding.places_index import place_index


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class GazetteerExtractor(StatelessComponent):
    def __init__(self) -> None:
        # The place index takes about a second to build: at start-up, not on her first message.
        place_index()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            found = [
                {"entity": entity, "value": mention.value, "start": mention.start, "end": mention.end,
                 "text": text[mention.start:mention.end], "extractor": self.__class__.__name__}
                for entity, mentions in (("country", find_countries(text)), ("city", find_cities(text)),
                                         ("occupation", find_occupations(text)))
                for mention in mentions[:1]
            ]
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
