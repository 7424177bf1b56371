"""The bilingual catalogue of replies that actions fill with facts (bot/replies/messages.yml)."""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

from bot.understanding.language import LANGUAGES

CATALOGUE = Path(__file__).with_name("messages.yml")


def placeholders(template: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@lru_cache(maxsize=1)
def catalogue() -> Dict[str, Dict[str, str]]:
    messages = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    for key, texts in messages.items():
        missing = [language for language in LANGUAGES if not (texts or {}).get(language)]
        if missing:
            raise ValueError(f"{CATALOGUE.name}: message {key!r} has no {', '.join(missing)} text")
        if len({frozenset(placeholders(texts[language])) for language in LANGUAGES}) != 1:
            raise ValueError(f"{CATALOGUE.name}: message {key!r} has different placeholders per language")
    return messages


def render(key: str, language: str, **values: str) -> str:
    texts = catalogue()[key]
    return texts.get(language, texts["vi"]).format(**values)
