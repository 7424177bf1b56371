"""A worker in danger over SMS reaches a consular duty officer and back, end to end: the case in
the database, the officer alerted on Telegram, the acknowledgement by button, the officer's
replies from the console over SMS, the close, and the bot answering again."""
from __future__ import annotations

import json
import time
import urllib.request

import pytest

from bot.cases.db import make_engine
from bot.cases.officers import OfficerStore
from bot.cases.store import CaseStore
from bot.escalation.link import HANDOFF_KEY
from tests.conftest import free_port
from tests.e2e.signed_webhooks import SECRETS, SIGNERS
from tests.e2e.stack import MODEL, Stack, replies_to, wait_for

pytestmark = pytest.mark.e2e
WORKER = "+84900000555"
OFFICER_CHAT = "100000201"
ROTA = """
desk:
  id: vn-desk
  name: Desk (TEST)
  timezone: Asia/Ho_Chi_Minh
  contacts: {telegram: "100000299"}
officers:
  - id: tw-officer
    name: TW officer (TEST)
    countries: [TW]
    timezone: Asia/Taipei
    hours: ["24/7"]
    contacts: {telegram: "%s", sms: "+84900000201"}
    backups: [vn-desk]
""" % OFFICER_CHAT


@pytest.fixture(scope="module")
def helpline(tmp_path_factory, fake):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does)")
    state = tmp_path_factory.mktemp("escalation")
    (state / "rota.yml").write_text(ROTA)
    database = f"sqlite:///{state / 'cases.sqlite3'}"
    console_port = free_port()
    stack = Stack(state, fake, {
        "ESCALATION_ENABLED": "true", "ROTA_FILE": str(state / "rota.yml"), "DATABASE_URL": database,
        "CONSOLE_PORT": str(console_port), "CONSOLE_SECRET_KEY": "e2e-console-secret-key-0123456789abcdef",
        "SLA_CRITICAL_SECONDS": "120",
    })
    officers = OfficerStore(make_engine(database))
    CaseStore.connect(database)  # migrates
    officers.add("tw-officer", "correct horse battery staple", ["TW"], display_name="TW officer")
    stack.token = officers.new_token("tw-officer")
    stack.cases = CaseStore.connect(database)
    stack.console = f"http://127.0.0.1:{console_port}"
    stack.start()
    stack.start_console(console_port)
    yield stack
    stack.stop()


def api(stack, method: str, path: str, body=None):
    request = urllib.request.Request(
        stack.console + path, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {stack.token}", "Content-Type": "application/json"},
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
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRETS.telegram_secret}
    return stack.post("telegram", ("/webhooks/telegram/webhook", body, headers))


def test_a_critical_sms_reaches_an_officer_who_answers_over_sms_and_hands_back(helpline, fake):
    stack = helpline
    assert stack.post("twilio", SIGNERS.message("twilio", WORKER, "chu nha danh em chay mau, em o dai loan, cuu em", "e2e-1")) == 200

    # The case is in the database, and the on-duty officer's Telegram alert at the provider.
    [case] = wait_for(lambda: stack.cases.list_cases(country="TW"))
    assert case.severity == "critical" and case.channel == "twilio"
    opened = time.monotonic()
    alert = wait_for(lambda: [m for m in fake.sent("telegram") if str(m["to"]) == OFFICER_CHAT], timeout=2)
    assert case.number in alert[0]["text"] and "chay mau" not in alert[0]["text"]  # a summary, no transcript
    assert time.monotonic() - opened <= 2
    assert any("Cán bộ lãnh sự trực" in r or "Can bo lanh su truc" in r for r in wait_for(lambda: replies_to(fake, "twilio", WORKER)))

    # The officer acknowledges with the button.
    assert officer_presses_acknowledge(stack, case.id) == 200
    wait_for(lambda: stack.cases.get_case(case.id, False).status == "acknowledged")

    # Replies typed in the console reach her over SMS; she is talking to a person now.
    assert api(stack, "POST", f"/api/cases/{case.id}/reply", {"text": "Chào chị, tôi là cán bộ lãnh sự. Chị đang ở đâu?"})[0] == 200
    wait_for(lambda: any("can bo lanh su" in r.lower() and "chi dang o dau" in r.lower() for r in replies_to(fake, "twilio", WORKER)))
    assert stack.redis().exists(HANDOFF_KEY.format(conversation_id=case.conversation_id))
    before = len(replies_to(fake, "twilio", WORKER))
    stack.post("twilio", SIGNERS.message("twilio", WORKER, "/restart", "e2e-2"))
    stack.post("twilio", SIGNERS.message("twilio", WORKER, "em o nha chu, tang 3", "e2e-3"))
    wait_for(lambda: "em o nha chu, tang 3" in [e.detail.get("text") for e in stack.cases.get_case(case.id).events if e.kind == "message_in"])
    assert len(replies_to(fake, "twilio", WORKER)) == before  # the bot stays out of the handoff

    # Close: a goodbye with the numbers, and the bot answers again.
    assert api(stack, "POST", f"/api/cases/{case.id}/close", {"reason": "safe"})[0] == 200
    wait_for(lambda: any("1955" in r for r in replies_to(fake, "twilio", WORKER)[before:]))
    after_close = len(replies_to(fake, "twilio", WORKER))
    stack.post("twilio", SIGNERS.message("twilio", WORKER, "xin chao", "e2e-4"))
    wait_for(lambda: len(replies_to(fake, "twilio", WORKER)) > after_close)
    assert stack.cases.get_case(case.id, False).status == "closed"


def test_an_officer_cannot_read_another_countrys_case(helpline):
    stack = helpline
    other = stack.cases.open_case("twilio-other", "twilio", "JP", "vi", "high", consent="given")
    assert api(stack, "GET", f"/api/cases/{other.id}")[0] == 403
