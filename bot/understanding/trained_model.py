"""The trained model's NLU, loaded once, parsing many messages in one pass.

`python -m bot triage` and `make eval` use this, so they run the same components (language,
places, normaliser, classifier, safety net) as the live bot.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Sequence

from bot.runtime.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
DEFAULT_MODEL = Path(os.environ.get("HELPLINE_MODEL") or ROOT / "models" / "helpline.tar.gz")


class ModelMissing(RuntimeError):
    pass


class NluModel:
    def __init__(self, model_path: Path | None = None) -> None:
        model_path = model_path or DEFAULT_MODEL
        if not Path(model_path).exists():
            raise ModelMissing(
                f"No trained model at {model_path}. Train one with `make train` (or `make run`, which trains first)."
            )
        os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
        logging.getLogger("rasa").setLevel(logging.ERROR)
        from rasa.core.agent import Agent

        self._agent = Agent.load(str(model_path))
        self._processor = self._agent.processor

    def parse(self, texts: Sequence[str]) -> List[Dict[str, Any]]:
        from rasa.core.channels.channel import UserMessage
        from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
        from rasa.shared.core.trackers import DialogueStateTracker

        if not texts:
            return []
        messages = [UserMessage(text) for text in texts]
        target = self._processor.model_metadata.nlu_target
        results = self._processor.graph_runner.run(
            inputs={PLACEHOLDER_MESSAGE: messages, PLACEHOLDER_TRACKER: DialogueStateTracker("triage", [])},
            targets=[target],
        )
        return [message.as_dict(only_output_properties=True) for message in results[target]]
