import pytest

from bot.runtime.settings import SettingsError, load_settings

CHANNEL_VARIABLES = [
    "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER",
    "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    for variable in CHANNEL_VARIABLES + ["RASA_PORT", "REDIS_URL", "HELPLINE_PUBLIC_URL"]:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def public_url(monkeypatch):
    monkeypatch.setenv("HELPLINE_PUBLIC_URL", "https://helpline.example.org")


def test_defaults_need_no_environment():
    settings = load_settings()
    assert settings.rasa_port == 5005
    assert settings.action_port == 5055
    assert settings.enabled_channels() == []


def test_a_complete_channel_is_enabled(monkeypatch, public_url):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:real-looking-token")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cr3t-long-random")
    assert load_settings().enabled_channels() == ["telegram"]


def test_a_missing_secret_stops_start_up_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:real-looking-token")
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings()


@pytest.mark.parametrize("placeholder", ["", "changeme", "CHANGE_ME", "your-token-here", "<secret>", "xxx"])
def test_a_placeholder_secret_stops_start_up_without_printing_values(monkeypatch, placeholder):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC-do-not-print-me")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", placeholder)
    monkeypatch.setenv("TWILIO_FROM_NUMBER", "+15005550006")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "TWILIO_AUTH_TOKEN" in str(error.value)
    assert "do-not-print-me" not in str(error.value)


def test_an_invalid_value_gives_a_readable_error(monkeypatch):
    monkeypatch.setenv("RASA_PORT", "not-a-port")
    with pytest.raises(SettingsError, match="RASA_PORT"):
        load_settings()


def test_secrets_do_not_show_in_the_settings_repr(monkeypatch, public_url):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:do-not-print-me")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "also-secret-value")
    settings = load_settings()
    assert "do-not-print-me" not in repr(settings)
    assert "also-secret-value" not in str(settings)


def test_a_dotenv_file_is_read_and_the_environment_wins(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("RASA_PORT=5099\nACTION_PORT=5098\n", encoding="utf-8")
    monkeypatch.setenv("ACTION_PORT", "5097")
    settings = load_settings()
    assert (settings.rasa_port, settings.action_port) == (5099, 5097)


def test_a_channel_needs_the_public_url_its_signatures_are_checked_against(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:real-looking-token")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cr3t-long-random")
    with pytest.raises(SettingsError, match="HELPLINE_PUBLIC_URL"):
        load_settings()


def test_only_enabled_channels_are_mounted_and_no_secret_is_written(monkeypatch, public_url, tmp_path):
    from pathlib import Path

    from bot.runtime.channel_credentials import write_effective_credentials

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:do-not-write-me")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cr3t-long-random")
    source = Path(__file__).resolve().parent.parent / "credentials.yml"
    target = tmp_path / "state" / "credentials.yml"
    assert write_effective_credentials(load_settings(), source, target) == ["telegram"]
    written = target.read_text()
    assert "bot.connectors.TelegramInput" in written and "${TELEGRAM_BOT_TOKEN}" in written
    assert "channels.rest.RestInput" in written
    assert "twilio" not in written and "zalo" not in written.lower()
    assert "do-not-write-me" not in written
