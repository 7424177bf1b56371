"""Every setting the helpline reads from its environment, in one place.

A channel counts as enabled as soon as any of its variables is set; an enabled channel must then
have every secret it needs, and none may be empty or a placeholder copied from .env.example.
Start-up fails with a message that names the variable, never its value.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional

from pydantic import BaseSettings, Field, SecretStr, validator

_PLACEHOLDER = re.compile(
    r"^(change[-_ ]?me|changethis|placeholder|todo|xxx+|your[-_ ].*|<.*>|\.\.\.|none|null)$",
    re.IGNORECASE,
)

# Channel name -> the variables it needs (all secrets or identifiers that must be real).
CHANNEL_VARIABLES: Dict[str, List[str]] = {
    "twilio": ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"],
    "telegram": ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"],
    "zalo": [
        "ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN",
    ],
}


#: The databases the case store runs on (bot.cases.db).
CASE_STORE_DATABASES = ("postgresql", "sqlite")


def normalise_database_url(url: str) -> str:
    """A case store URL as SQLAlchemy takes it: trimmed, and ``postgres://`` (Heroku style) read
    as PostgreSQL. ValueError for any other database; the message never holds the URL (it may
    hold a password)."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    scheme, separator, _rest = url.partition("://")
    if not separator:
        raise ValueError("not a database URL; expected postgresql://user:password@host/database")
    database = scheme.partition("+")[0]
    if database not in CASE_STORE_DATABASES:
        raise ValueError(f"the case store runs on PostgreSQL or SQLite, not {database!r}")
    return url


class SettingsError(RuntimeError):
    """The environment cannot run the helpline; the message says which variable to fix."""


def is_placeholder(value: str) -> bool:
    return not value.strip() or bool(_PLACEHOLDER.match(value.strip()))


class Settings(BaseSettings):
    # Where things listen.
    rasa_port: int = Field(default=5005, env="RASA_PORT", ge=1, le=65535)
    action_port: int = Field(default=5055, env="ACTION_PORT", ge=1, le=65535)
    host: str = Field(default="127.0.0.1", env="HELPLINE_HOST")

    # Redis: tracker store, lock store and everything else shared. Unset: an embedded server.
    redis_url: Optional[str] = Field(default=None, env="REDIS_URL")
    embedded_redis_port: int = Field(default=6390, env="EMBEDDED_REDIS_PORT", ge=1, le=65535)
    state_dir: str = Field(default=".run", env="HELPLINE_STATE_DIR")
    # Conversations expire this long after their last message (data minimisation).
    tracker_ttl_seconds: int = Field(default=90 * 24 * 3600, env="TRACKER_TTL_SECONDS", ge=60)

    # Whether danger replies may say an officer is being alerted: only once escalation to duty
    # officers is wired in (a case committed before she is told someone is coming).
    escalation_enabled: bool = Field(default=False, env="ESCALATION_ENABLED")
    log_level: str = Field(default="INFO", env="LOG_LEVEL")

    # Escalation to duty officers (bot/escalation, bot/cases). The rota names who is alerted.
    rota_file: Optional[str] = Field(default=None, env="ROTA_FILE")
    # The case store: PostgreSQL for several processes; unset, a SQLite file in state_dir.
    database_url: Optional[str] = Field(default=None, env="DATABASE_URL")
    sla_critical_seconds: int = Field(default=120, env="SLA_CRITICAL_SECONDS", ge=5)
    sla_high_seconds: int = Field(default=900, env="SLA_HIGH_SECONDS", ge=5)
    notify_max_attempts: int = Field(default=5, env="NOTIFY_MAX_ATTEMPTS", ge=1, le=20)
    retention_days: int = Field(default=90, env="RETENTION_DAYS", ge=1)
    console_port: int = Field(default=5080, env="CONSOLE_PORT", ge=1, le=65535)
    # Where officers open the console (links in notifications); default: the local address.
    console_public_url: Optional[str] = Field(default=None, env="CONSOLE_PUBLIC_URL")

    # Channels (issue: channels). Secrets are SecretStr so they never print.
    twilio_account_sid: Optional[SecretStr] = Field(default=None, env="TWILIO_ACCOUNT_SID")
    twilio_auth_token: Optional[SecretStr] = Field(default=None, env="TWILIO_AUTH_TOKEN")
    twilio_from_number: Optional[SecretStr] = Field(default=None, env="TWILIO_FROM_NUMBER")
    telegram_bot_token: Optional[SecretStr] = Field(default=None, env="TELEGRAM_BOT_TOKEN")
    telegram_webhook_secret: Optional[SecretStr] = Field(default=None, env="TELEGRAM_WEBHOOK_SECRET")
    zalo_app_id: Optional[SecretStr] = Field(default=None, env="ZALO_APP_ID")
    zalo_oa_secret_key: Optional[SecretStr] = Field(default=None, env="ZALO_OA_SECRET_KEY")
    zalo_access_token: Optional[SecretStr] = Field(default=None, env="ZALO_ACCESS_TOKEN")
    zalo_refresh_token: Optional[SecretStr] = Field(default=None, env="ZALO_REFRESH_TOKEN")
    zalo_app_secret: Optional[SecretStr] = Field(default=None, env="ZALO_APP_SECRET")

    # The public https base URL the providers call (behind a proxy it differs from what Rasa
    # sees). Twilio signs the exact URL it called, so signatures are checked against this.
    public_url: Optional[str] = Field(default=None, env="HELPLINE_PUBLIC_URL")
    # The REST channel: open on a loopback interface (make run, make shell, the tests); with a
    # token, it needs "Authorization: Bearer <token>" wherever it listens; without one it is off
    # on any other interface (channels/rest.py).
    rest_token: Optional[SecretStr] = Field(default=None, env="REST_CHANNEL_TOKEN")
    # Provider API base URLs: the real ones by default; a fake on localhost in tests and staging.
    twilio_api_base_url: str = Field(default="https://api.twilio.com", env="TWILIO_API_BASE_URL")
    telegram_api_base_url: str = Field(default="https://api.telegram.org", env="TELEGRAM_API_BASE_URL")
    zalo_api_base_url: str = Field(default="https://openapi.zalo.me", env="ZALO_API_BASE_URL")
    zalo_oauth_base_url: str = Field(default="https://oauth.zaloapp.com", env="ZALO_OAUTH_BASE_URL")

    # Metrics (bot/runtime/metrics.py, docs/operations.md): where every process writes its counts
    # for the console's /metrics to add up (unset: each process counts in memory), and the bearer
    # token /metrics needs from anywhere but loopback (unset: loopback callers only).
    metrics_dir: Optional[str] = Field(default=None, env="METRICS_DIR")
    metrics_token: Optional[SecretStr] = Field(default=None, env="METRICS_TOKEN")

    # The shared channel core (channels/pipeline.py).
    dedupe_ttl_seconds: int = Field(default=48 * 3600, env="DEDUPE_TTL_SECONDS", ge=48 * 3600)
    rate_limit_messages: int = Field(default=20, env="RATE_LIMIT_MESSAGES", ge=1)
    rate_limit_window_seconds: int = Field(default=60, env="RATE_LIMIT_WINDOW_SECONDS", ge=1)
    sms_max_segments: int = Field(default=4, env="SMS_MAX_SEGMENTS", ge=1, le=10)
    outbox_max_attempts: int = Field(default=8, env="OUTBOX_MAX_ATTEMPTS", ge=1, le=50)
    # Entries another process left unfinished are taken over after this long.
    claim_idle_seconds: int = Field(default=60, env="CLAIM_IDLE_SECONDS", ge=1)
    # Names this process in Redis consumer groups; a restarted process with the same name picks
    # up its own unfinished messages at once. Defaults to host name and Rasa port.
    worker_name: Optional[str] = Field(default=None, env="HELPLINE_WORKER_NAME")

    @validator("rota_file")
    def _rota_file(cls, value: Optional[str]) -> Optional[str]:
        if value is None or not value.strip():
            return None
        return value.strip()

    @validator("database_url")
    def _database_url(cls, value: Optional[str]) -> Optional[str]:
        if value is None or not value.strip():
            return None
        return normalise_database_url(value)

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
        if enabled and not self.public_url:
            raise SettingsError(
                f"The {', '.join(enabled)} channel{'s are' if len(enabled) > 1 else ' is'} enabled but "
                "HELPLINE_PUBLIC_URL is not set: set it to the https address the providers call "
                "(e.g. https://helpline.example.org), which webhook signatures are checked against."
            )
        return enabled


def load_settings() -> Settings:
    """Settings from the environment, with a readable error instead of a pydantic trace."""
    from pydantic import ValidationError

    from bot.runtime.validation_errors import describe

    try:
        settings = Settings()
    except ValidationError as error:
        raise SettingsError(f"Invalid configuration: {describe(error, upper=True)}") from None
    settings.enabled_channels()
    return settings

