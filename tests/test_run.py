"""The runner's refusals, which an operator sees before anything starts."""
import os
import socket
import subprocess
from pathlib import Path

import pytest

from bot.cli.run import StartupError, redact_url, require_free_ports

ROOT = Path(__file__).resolve().parent.parent


def test_a_taken_port_is_refused_with_a_clear_message():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(StartupError) as error:
            require_free_ports({"RASA_PORT": port}, "127.0.0.1")
    assert f"{port} (RASA_PORT)" in str(error.value)
    assert "RASA_PORT=" in str(error.value)


def test_redis_passwords_are_not_printed():
    assert redact_url("redis://:hunter2@redis.internal:6379/0") == "redis://***@redis.internal:6379/0"
    assert redact_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


@pytest.mark.skipif(
    any(Path(d, "python3.10").exists() for d in ("/usr/bin", "/bin")), reason="the system has a Python 3.10"
)
def test_without_python_310_setup_says_how_to_get_one(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(ROOT / "scripts" / "find-python310.sh")], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "pyenv install 3.10" in result.stderr


def test_python_310_is_found_here():
    result = subprocess.run(
        [str(ROOT / "scripts" / "find-python310.sh")], env=dict(os.environ), capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "python3.10" in result.stdout


def test_without_a_model_the_runner_says_what_to_do(tmp_path, monkeypatch):
    import bot.cli.run as run_module
    from bot.runtime.settings import Settings

    monkeypatch.setattr(run_module, "MODEL", tmp_path / "missing.tar.gz")
    monkeypatch.setattr(run_module, "ROOT", tmp_path)
    with pytest.raises(StartupError, match="make run"):
        run_module.run(Settings())


def test_children_get_dotenv_values_under_the_real_environment(tmp_path, monkeypatch):
    import bot.cli.run as run_module
    from bot.runtime.settings import Settings

    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=from-dotenv\nLOG_LEVEL=DEBUG\n", encoding="utf-8")
    monkeypatch.setattr(run_module, "ROOT", tmp_path)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    env = run_module.child_environment(Settings(), "redis://127.0.0.1:1/0")
    assert env["TELEGRAM_BOT_TOKEN"] == "from-dotenv"
    assert env["LOG_LEVEL"] == "WARNING"
    assert env["REDIS_URL"] == "redis://127.0.0.1:1/0"
    assert env["ACTION_ENDPOINT_URL"].endswith(":5055/webhook")
