"""The case store's PostgreSQL tests cannot pass without PostgreSQL (issue #15): with no server
they fail, never skip, and the set-up script never replaces a server someone named."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.serving import free_port

ROOT = Path(__file__).resolve().parents[1]
ENSURE_POSTGRES = ROOT / "scripts" / "ensure-postgres.sh"


def test_the_postgresql_tests_fail_rather_than_skip_when_no_server_answers():
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    env = dict(os.environ, CASES_TEST_POSTGRES_URL=closed)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/cases/test_store.py", "-k", "postgresql", "-q",
         "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 1, run.stdout[-3000:]
    assert "error" in summary and "passed" not in summary and "skipped" not in summary, summary
    assert "cannot be used" in run.stdout and "CASES_TEST_POSTGRES_URL" in run.stdout


def test_the_set_up_script_uses_the_server_it_is_given_and_starts_nothing():
    given = f"postgresql://someone@127.0.0.1:{free_port()}/somewhere"
    run = subprocess.run(
        [str(ENSURE_POSTGRES)], env=dict(os.environ, CASES_TEST_POSTGRES_URL=given, HELPLINE_PYTHON=sys.executable),
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == given
    assert run.stderr == ""
