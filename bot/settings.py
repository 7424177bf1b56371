"""Every setting the helpline reads from its environment, in one place.

A channel counts as enabled as soon as any of its variables is set; an enabled channel must then
have every secret it needs, and none may be empty or a placeholder copied from .env.example.
Start-up fails with a message that names the variable, never its value.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional

from pydantic import BaseSettings, Field, SecretStr

_PLACEHOLDER = re.compile(
    r"^(change[-_ ]?me|changethis|placeholder|todo|xxx+|your[-_ ].*|<.*>|\.\.\.|none|null)$",
    re.IGNORECASE,
)

# Channel name -> the variables it needs (all secrets or identifiers that must be real).
CHANNEL_VARIABLES: Dict[str, List[str]] = {
    "twilio": ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"],
    "telegram": ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"],
    "zalo": ["ZALO_APP_ID", "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN"],
}


class SettingsError(RuntimeError):
    """The environment cannot run the helpline; the message says which variable to fix."""


def is_placeholder(value: str) -> bool:
    return not value.strip() or bool(_PLACEHOLDER.match(value.strip()))


class Settings(BaseSettings):
    # Where things listen.
    rasa_port: int = Field(5005, env="RASA_PORT", ge=1, le=65535)
    action_port: int = Field(5055, env="ACTION_PORT", ge=1, le=65535)
    host: str = Field("127.0.0.1", env="HELPLINE_HOST")

    # Redis: tracker store, lock store and everything else shared. Unset: an embedded server.
    redis_url: Optional[str] = Field(None, env="REDIS_URL")
    embedded_redis_port: int = Field(6390, env="EMBEDDED_REDIS_PORT", ge=1, le=65535)
    state_dir: str = Field(".run", env="HELPLINE_STATE_DIR")
    # Conversations expire this long after their last message (data minimisation).
    tracker_ttl_seconds: int = Field(90 * 24 * 3600, env="TRACKER_TTL_SECONDS", ge=60)

    # Whether danger replies may say an officer is being alerted: only once escalation to duty
    # officers is wired in (a case committed before she is told someone is coming).
    escalation_enabled: bool = Field(False, env="ESCALATION_ENABLED")
    log_level: str = Field("INFO", env="LOG_LEVEL")

    # Channels (issue: channels). Secrets are SecretStr so they never print.
    twilio_account_sid: Optional[SecretStr] = Field(None, env="TWILIO_ACCOUNT_SID")
    twilio_auth_token: Optional[SecretStr] = Field(None, env="TWILIO_AUTH_TOKEN")
    twilio_from_number: Optional[SecretStr] = Field(None, env="TWILIO_FROM_NUMBER")
    telegram_bot_token: Optional[SecretStr] = Field(None, env="TELEGRAM_BOT_TOKEN")
    telegram_webhook_secret: Optional[SecretStr] = Field(None, env="TELEGRAM_WEBHOOK_SECRET")
    zalo_app_id: Optional[SecretStr] = Field(None, env="ZALO_APP_ID")
    zalo_oa_secret_key: Optional[SecretStr] = Field(None, env="ZALO_OA_SECRET_KEY")
    zalo_access_token: Optional[SecretStr] = Field(None, env="ZALO_ACCESS_TOKEN")
    zalo_refresh_token: Optional[SecretStr] = Field(None, env="ZALO_REFRESH_TOKEN")

    class Config:
        env_file = ".env"
        env_file_encoding = "utf-8"
        case_sensitive = False

    def _value(self, variable: str) -> Optional[str]:
        secret = getattr(self, variable.lower())
        return None if secret is None else secret.get_secret_value()

    def enabled_channels(self) -> List[str]:
        """Channels with at least one variable set; raises when one of them is incomplete."""
        enabled = []
        for channel, variables in CHANNEL_VARIABLES.items():
            values = {variable: self._value(variable) for variable in variables}
            if all(value is None for value in values.values()):
                continue
            bad = [name for name, value in values.items() if value is None or is_placeholder(value)]
            if bad:
                raise SettingsError(
                    f"The {channel} channel is enabled but {', '.join(bad)} "
                    f"{'is' if len(bad) == 1 else 'are'} missing, empty or a placeholder. "
                    f"Set {'it' if len(bad) == 1 else 'them'} in the environment or .env, or unset "
                    f"all of {', '.join(variables)} to disable the channel."
                )
            enabled.append(channel)
        return enabled


def load_settings() -> Settings:
    """Settings from the environment, with a readable error instead of a pydantic trace."""
    from pydantic import ValidationError

    from bot.validation_errors import describe

    try:
        settings = Settings()
    except ValidationError as error:
        raise SettingsError(f"Invalid configuration: {describe(error, upper=True)}") from None
    settings.enabled_channels()
    return settings

