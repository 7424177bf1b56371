"""Which input channels Rasa mounts: the ones whose credentials are in the environment.

credentials.yml lists every channel with ${VARIABLE} references. Rasa refuses a file whose
variables are unset, so `make run` writes the file Rasa reads (in the state directory) with only
the enabled channels' sections, references kept as they are: no secret is written to disk.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.runtime.settings import CHANNEL_VARIABLES, Settings

SECTIONS: Dict[str, str] = {
    "twilio": "bot.connectors.TwilioInput",
    "telegram": "bot.connectors.TelegramInput",
    "zalo": "bot.connectors.ZaloInput",
}


def effective_credentials(settings: Settings, source: Path) -> Tuple[dict, List[str]]:
    """The credentials Rasa gets, and the enabled provider channels (raises SettingsError)."""
    enabled = settings.enabled_channels()
    everything = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    unknown = set(SECTIONS) - set(CHANNEL_VARIABLES)
    assert not unknown, f"channels without variables: {unknown}"
    disabled = {SECTIONS[channel] for channel in SECTIONS if channel not in enabled}
    return {key: value for key, value in everything.items() if key not in disabled}, enabled


def write_effective_credentials(settings: Settings, source: Path, target: Path) -> List[str]:
    credentials, enabled = effective_credentials(settings, source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        "# Written by `make run` from credentials.yml: the enabled channels only. Do not edit.\n"
        + yaml.safe_dump(credentials, sort_keys=False),
        encoding="utf-8",
    )
    return enabled
