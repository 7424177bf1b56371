"""Escalation switched on for action tests: a real SQLite case store, the example rota, the
test's Redis, and every action module's `escalator()` answering with it."""
from __future__ import annotations

from pathlib import Path

from bot.cases.rota import load_rota
from bot.cases.store import CaseStore
from bot.escalation.opening import Escalator

ROOT = Path(__file__).resolve().parents[2]
ACTION_MODULES = ("actions.danger", "actions.escalation", "actions.answers", "actions.contact_terms",
                  "actions.case_status", "actions.information")


def escalation_on(tmp_path, redis_url: str, monkeypatch) -> Escalator:
    store = CaseStore.connect(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    active = Escalator(store, load_rota(ROOT / "config" / "rota.example.yml"), redis_url, 3600)
    for module in ACTION_MODULES:
        monkeypatch.setattr(f"{module}.escalator", lambda: active)
    return active
