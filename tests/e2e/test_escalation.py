"""A worker in danger over SMS reaches a consular duty officer and back, end to end: the case in
the database, the officer alerted on Telegram, the acknowledgement by button, the officer's
replies from the console over SMS, the close, and the bot answering again."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from bot.cases.db import make_engine
from bot.cases.officers import OfficerStore
from bot.cases.store import CaseStore
from channels.handoff import HANDOFF_KEY
from tests.support.stack import Stack
from tests.support.waiting import wait_until

pytestmark = pytest.mark.e2e
WORKER = "+84900000555"
OFFICER_CHAT = "100000201"
DESK_CHAT = "100000299"  # the officer's backup: the next step once the SLA runs out
ROTA = f"""
desk:
  id: vn-desk
  name: Desk (TEST)
  timezone: Asia/Ho_Chi_Minh
  contacts: {{telegram: "{DESK_CHAT}"}}
officers:
  - id: tw-officer
    name: TW officer (TEST)
    countries: [TW]
    timezone: Asia/Taipei
    hours: ["24/7"]
    contacts: {{telegram: "{OFFICER_CHAT}", sms: "+84900000201"}}
    backups: [vn-desk]
"""


@dataclass
class Helpline:
    stack: Stack
    cases: CaseStore
    token: str  # the officer's, for the console's API


@pytest.fixture(scope="module")
def helpline(start_stack, tmp_path_factory):
    state = tmp_path_factory.mktemp("escalation")
    (state / "rota.yml").write_text(ROTA)
    database = f"sqlite:///{state / 'cases.sqlite3'}"
    officers = OfficerStore(make_engine(database))
    CaseStore.connect(database)  # migrates
    officers.add("tw-officer", "correct horse battery staple", ["TW"], display_name="TW officer")
    stack = start_stack({
        "ESCALATION_ENABLED": "true", "ROTA_FILE": str(state / "rota.yml"), "DATABASE_URL": database,
        "CONSOLE_SECRET_KEY": "e2e-console-secret-key-0123456789abcdef", "SLA_CRITICAL_SECONDS": "120",
    }, console=True)
    return Helpline(stack, CaseStore.connect(database), officers.new_token("tw-officer"))


def api(helpline, method: str, path: str, body=None):
    request = urllib.request.Request(
        helpline.stack.console_url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {helpline.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def officer_presses_acknowledge(stack, case_id: int) -> int:
    update = {
        "update_id": 900000 + case_id,
        "callback_query": {
            "id": f"cb{case_id}", "from": {"id": int(OFFICER_CHAT), "is_bot": False, "first_name": "Officer"},
            "chat_instance": "1", "data": f"ack:{case_id}",
            "message": {"message_id": 5, "date": int(time.time()), "chat": {"id": int(OFFICER_CHAT), "type": "private"}, "text": "..."},
        },
    }
    body = json.dumps(update).encode()
    secret = stack.settings.telegram_webhook_secret.get_secret_value()
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    return stack.post(("/webhooks/telegram/webhook", body, headers))


def test_a_critical_sms_reaches_an_officer_who_answers_over_sms_and_hands_back(helpline):
    stack, cases = helpline.stack, helpline.cases

    def sms():
        return stack.replies("twilio", WORKER)

    assert stack.post(stack.webhook("twilio", WORKER, "chu nha danh em chay mau, em o dai loan, cuu em", "e2e-1")) == 200

    # The case is in the database, and the on-duty officer's Telegram alert at the provider: a
    # summary with the case number, sent as the chain's first step, before any SLA step.
    [case] = wait_until(lambda: cases.list_cases(country="TW"))
    assert case.severity == "critical" and case.channel == "twilio"
    [alert] = wait_until(lambda: stack.replies("telegram", OFFICER_CHAT))
    assert case.number in alert and "chay mau" not in alert  # a summary, no transcript
    wait_until(lambda: any(e.kind == "notified" and e.detail["channel"] == "telegram" for e in cases.get_case(case.id).events))
    trail = [(e.kind, e.detail["step"]) for e in cases.get_case(case.id).events if e.kind in ("notified", "reassigned")]
    assert trail and set(trail) == {("notified", 0)}
    assert not stack.replies("telegram", DESK_CHAT)
    assert any("Cán bộ lãnh sự trực" in r or "Can bo lanh su truc" in r for r in wait_until(sms))

    # The officer acknowledges with the button.
    assert officer_presses_acknowledge(stack, case.id) == 200
    wait_until(lambda: cases.get_case(case.id, False).status == "acknowledged")

    # Replies typed in the console reach her over SMS; she is talking to a person now.
    assert api(helpline, "POST", f"/api/cases/{case.id}/reply", {"text": "Chào chị, tôi là cán bộ lãnh sự. Chị đang ở đâu?"})[0] == 200
    wait_until(lambda: any("can bo lanh su" in r.lower() and "chi dang o dau" in r.lower() for r in sms()))
    assert stack.redis().exists(HANDOFF_KEY.format(conversation_id=case.conversation_id))
    wait_until(lambda: stack.answered("twilio"))
    before = len(sms())
    stack.post(stack.webhook("twilio", WORKER, "/restart", "e2e-2"))
    stack.post(stack.webhook("twilio", WORKER, "em o nha chu, tang 3", "e2e-3"))
    wait_until(lambda: "em o nha chu, tang 3" in [e.detail.get("text") for e in cases.get_case(case.id).events if e.kind == "message_in"])
    wait_until(lambda: stack.answered("twilio"))
    assert len(sms()) == before  # the bot stays out of the handoff

    # Close: a goodbye with the numbers, and the bot answers again.
    assert api(helpline, "POST", f"/api/cases/{case.id}/close", {"reason": "safe"})[0] == 200
    wait_until(lambda: any("1955" in r for r in sms()[before:]))
    after_close = len(sms())
    stack.post(stack.webhook("twilio", WORKER, "xin chao", "e2e-4"))
    wait_until(lambda: len(sms()) > after_close)
    assert cases.get_case(case.id, False).status == "closed"


def test_an_officer_cannot_read_another_countrys_case(helpline):
    other = helpline.cases.open_case("twilio-other", "twilio", "JP", "vi", "high", consent="given")
    assert api(helpline, "GET", f"/api/cases/{other.id}")[0] == 403
