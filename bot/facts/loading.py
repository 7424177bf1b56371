"""Reading fact files: a YAML document, and each entry validated by its model, every problem
raised as the caller's own error with the file and the entry named.

A wrong fact told to a worker is worse than a helpline that refuses to start, so the loaders of
the directory and of the fee rules stop at the first malformed entry and say where it is.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Type, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.runtime.validation_errors import describe

Model = TypeVar("Model", bound=BaseModel)


def read_yaml(path: Path, error: Type[Exception], name: str) -> Any:
    """The document in ``path``; ``error("<name>: ...")`` when it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{name}: cannot be read: {problem}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as problem:
        raise error(f"{name}: not valid YAML: {problem}") from None


def parse_entry(model: Type[Model], entry: Any, where: str, error: Type[Exception]) -> Model:
    """``entry`` validated by ``model``; ``error("<where>: <field>: <what is wrong>")`` if not."""
    try:
        return model.parse_obj(entry)
    except ValidationError as invalid:
        raise error(f"{where}: {describe(invalid)}") from None
