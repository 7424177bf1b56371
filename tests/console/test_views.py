"""The queue and the case page, as an officer sees them, and the case actions from forms."""
from __future__ import annotations

import logging
import re

from tests.console.conftest import JOINED, LEFT, Browser, database_fails


def queue_numbers(body: str):
    return re.findall(r'<tr class="case [^"]*" id="case-\d+" data-case="([^"]+)"', body)


async def test_the_queue_orders_by_severity_then_waiting_time_and_shows_only_her_countries(env, browser_for):
    high_old = env.open_case("+886900000001", "TW", "high")
    env.clock.advance(minutes=1)
    crit_new = env.open_case("+886900000002", "TW", "critical")
    env.clock.advance(minutes=1)
    none_case = env.open_case("+886900000003", "TW", "none")
    high_new = env.open_case("+886900000004", "TW", "high")
    crit_old = env.store.open_case("+886900000005", "twilio", "TW", "vi", "critical")  # same time as high_new
    japan = env.open_case("+81900000006", "JP", "critical")
    nowhere = env.open_case("+84900000007", None, "critical")
    closed = env.open_case("+886900000008", "TW", "critical")
    env.store.close(closed.id, "lan")
    env.clock.advance(minutes=1)

    browser = await browser_for("lan")
    _, body = await browser.get("/queue")
    assert queue_numbers(body) == [crit_new.number, crit_old.number, high_old.number, high_new.number, none_case.number]
    assert japan.number not in body and nowhere.number not in body and closed.number not in body

    desk = await browser_for("desk")
    _, body = await desk.get("/queue")
    assert set(queue_numbers(body)) >= {japan.number, nowhere.number, crit_new.number}
    minh = await browser_for("minh")
    _, body = await minh.get("/queue")
    assert queue_numbers(body) == [japan.number]


async def test_the_queue_shows_waiting_time_and_the_sla_in_red_when_overdue(env, browser_for):
    critical = env.open_case("+886900000001", "TW", "critical")
    high = env.open_case("+886900000002", "TW", "high")
    acknowledged = env.open_case("+886900000003", "TW", "critical")
    env.store.acknowledge(acknowledged.id, "hoa")
    env.clock.advance(minutes=3)
    browser = await browser_for("lan")
    _, body = await browser.get("/queue?lang=en")
    def row(case) -> str:
        found = re.search(rf'<tr [^>]*id="case-{case.id}".*?</tr>', body)
        assert found, case.number
        return found.group(0)

    assert 'class="sla overdue"' in row(critical) and "OVERDUE 01:00" in row(critical)
    assert '<span class="waiting" data-since' in row(critical) and "03:00" in row(critical)
    assert "overdue" not in row(high) and "12:00 left" in row(high)
    assert "acknowledged" in row(acknowledged) and "Trần Thu Hoà" in row(acknowledged)
    assert 'http-equiv="refresh"' in body and '/static/console.js' in body
    for text in ("Critical", "High", "twilio", "TW", "vi", "Open", "Acknowledged"):
        assert text in body


async def test_an_empty_queue_says_so(browser_for):
    browser = await browser_for("lan")
    _, body = await browser.get("/queue")
    assert "Không có vụ việc nào đang chờ." in body


async def test_the_case_page_shows_the_conversation_and_everything_about_it(env, browser_for):
    case = env.open_case(
        "+886912345678", "TW", "high", channel="telegram", language="vi",
        summary="chủ giữ hộ chiếu", consent="given", contact_preference="call", contact_detail="+886900111222",
        messages=[("in", "chu giu ho chieu cua em"), ("out", "Chị có an toàn không?"),
                  ("in", "<script>alert(1)</script> & em so")],
    )
    env.store.take(case.id, "lan")
    env.store.record_message(case.id, "out", "Chào chị, tôi là cán bộ lãnh sự.", actor="lan")
    env.store.add_event(case.id, "note", "bot", {"referrals": [
        {"name": "1955 hotline", "phone": "1955"}, "TECO Hanoi"]})
    env.store.add_note(case.id, "hoa", "Đã gọi cho chủ <b>nhà</b>")
    browser = await browser_for("lan")
    response, body = await browser.get(f"/cases/{case.id}")
    assert response.status == 200
    transcript = _section(r'<ol class="transcript".*?</ol>', body)
    texts = re.findall(r'<div class="text">(.*?)</div>', transcript, re.S)
    assert texts == ["chu giu ho chieu cua em", "Chị có an toàn không?",
                     "&lt;script&gt;alert(1)&lt;/script&gt; &amp; em so", "Chào chị, tôi là cán bộ lãnh sự."]
    senders = re.findall(r'<span class="from">(.*?)</span>', transcript)
    assert senders == ["Người lao động", "Tổng đài tự động", "Người lao động", "Nguyễn Thị Lan"]
    assert "<script>alert" not in body and "<b>nhà</b>" not in body and "&lt;b&gt;nhà&lt;/b&gt;" in body
    for shown in ("telegram", "TW", "Đồng ý được liên hệ", "Gọi vào số này", "+886900111222", "+886912345678",
                  "chủ giữ hộ chiếu", "1955 hotline · 1955", "TECO Hanoi", "Đang xử lý"):
        assert shown in body, shown
    events = _section(r'<table class="events".*?</table>', body)
    assert events.index("Mở vụ việc") < events.index("Nhận xử lý") < events.index("Ghi chú")
    # She has taken it: the reply box is hers.
    assert 'id="reply-text"' in body and f'action="/cases/{case.id}/reply"' in body


def _section(pattern: str, body: str) -> str:
    found = re.search(pattern, body, re.S)
    assert found, pattern
    return found.group(0)


async def test_a_case_of_another_country_is_forbidden_and_shows_nothing_of_it(env, browser_for):
    case = env.open_case("+81900000001", "JP", "critical", messages=[("in", "secret words from Osaka")],
                         summary="osaka summary")
    browser = await browser_for("lan")
    response, body = await browser.get(f"/cases/{case.id}")
    assert response.status == 403
    assert "secret words" not in body and "osaka summary" not in body and "+81900000001" not in body
    assert case.number not in body and "Không có quyền truy cập" in body
    for action in ("ack", "take", "reply", "note", "close"):
        response, body = await browser.post(f"/cases/{case.id}/{action}", {"text": "x"})
        assert response.status == 403 and "secret words" not in body
    assert env.kinds(case) == ["created", "message_in"]
    assert env.sent_to(case) == [] and not env.held(case)
    minh = await browser_for("minh")
    response, body = await minh.get(f"/cases/{case.id}")
    assert response.status == 200 and "secret words from Osaka" in body


async def test_an_unknown_case_is_404(browser_for):
    browser = await browser_for("lan")
    response, _ = await browser.get("/cases/999")
    assert response.status == 404
    response, _ = await browser.post("/cases/999/ack")
    assert response.status == 404


async def test_acknowledge_take_reply_note_close_from_the_forms_reach_her_conversation(env, browser_for):
    case = env.open_case(messages=[("in", "cuu em voi")])
    browser = await browser_for("lan")
    _, body = await browser.get(f"/cases/{case.id}")
    assert 'id="ack-button"' in body and 'id="take-button"' in body

    response, body = await browser.post(f"/cases/{case.id}/ack")
    assert response.url.path == f"/cases/{case.id}" and "Đã xác nhận vụ việc." in body
    assert env.sent_to(case) == [] and not env.held(case)  # acknowledging is between officers
    response, body = await browser.post(f"/cases/{case.id}/take")
    assert "Bạn đã nhận xử lý vụ việc" in body and 'id="reply-text"' in body
    assert env.held(case) and env.sent_to(case) == [JOINED]
    response, body = await browser.post(f"/cases/{case.id}/reply", {"text": "  Chị ở đâu?  "})
    assert "Đã gửi tin nhắn." in body and "Chị ở đâu?" in body
    assert env.sent_to(case) == [JOINED, "Chị ở đâu?"]
    response, body = await browser.post(f"/cases/{case.id}/note", {"text": "gọi lại lúc 9h"})
    assert "Đã thêm ghi chú." in body and "gọi lại lúc 9h" in body
    assert len(env.sent_to(case)) == 2  # a note is for officers only
    response, body = await browser.post(f"/cases/{case.id}/close", {"reason": "an toàn"})
    assert response.status == 200 and 'id="close-confirm" role="alertdialog"' in body  # asked first
    assert f"Đóng vụ việc {case.number}?" in body and env.store.get_case(case.id).status != "closed"
    response, body = await browser.post(f"/cases/{case.id}/close", {"reason": "an toàn", "confirm": "1"})
    assert "Đã đóng vụ việc." in body and 'data-status="closed"' in body and 'id="reply-text"' not in body
    assert not env.held(case)  # the bot answers her again
    goodbye = env.sent_to(case)[-1]
    assert goodbye.startswith(LEFT) and goodbye in body

    stored = env.store.get_case(case.id)
    assert stored.status == "closed" and stored.assigned_officer == "lan"
    assert [(event.kind, event.actor) for event in stored.events] == [
        ("created", "bot"), ("message_in", "worker"), ("acknowledged", "lan"), ("taken", "lan"),
        ("message_out", "system"), ("message_out", "lan"), ("note", "lan"), ("message_out", "system"),
        ("closed", "lan"),
    ]
    assert stored.events[-1].detail["reason"] == "an toàn"
    _, body = await browser.get("/queue")
    assert case.number not in body


async def test_replying_takes_an_open_case_but_not_another_officers(env, browser_for):
    mine = env.open_case("+886900000001")
    browser = await browser_for("lan")
    _, body = await browser.get(f"/cases/{mine.id}")
    assert 'id="reply-text"' in body and "Gửi tin nhắn là nhận xử lý vụ việc" in body
    response, body = await browser.post(f"/cases/{mine.id}/reply", {"text": "xin chào"})
    assert response.status == 200 and 'data-status="taken"' in body
    assert env.store.get_case(mine.id).assigned_officer == "lan"
    assert env.held(mine) and env.sent_to(mine) == [JOINED, "xin chào"]

    theirs = env.open_case("+886900000002")
    env.store.take(theirs.id, "hoa")
    _, body = await browser.get(f"/cases/{theirs.id}")
    assert 'id="reply-text"' not in body and 'id="take-button"' not in body
    assert "Vụ việc đang do Trần Thu Hoà phụ trách" in body
    response, body = await browser.post(f"/cases/{theirs.id}/reply?lang=en", {"text": "xin chào"})
    assert response.status == 409 and "have it reassigned to you before replying" in body
    acknowledged = env.open_case("+886900000003")
    env.store.acknowledge(acknowledged.id, "hoa")
    response, _ = await browser.post(f"/cases/{acknowledged.id}/reply", {"text": "xin chào"})
    assert response.status == 409
    assert env.sent_to(theirs) == [] and env.sent_to(acknowledged) == []
    assert env.kinds(theirs) == ["created", "taken"] and env.kinds(acknowledged) == ["created", "acknowledged"]


async def test_empty_and_oversized_text_is_refused_with_a_message(env, browser_for):
    case = env.open_case()
    env.store.take(case.id, "lan")
    browser = await browser_for("lan")
    response, body = await browser.post(f"/cases/{case.id}/reply", {"text": "   "})
    assert response.status == 400 and "Nội dung không được để trống." in body
    response, body = await browser.post(f"/cases/{case.id}/note", {"text": "x" * 4001})
    assert response.status == 400 and "tối đa 4000" in body
    response, body = await browser.post(f"/cases/{case.id}/reply", {"text": "y" * 2000})
    assert response.status == 400 and "cần 14 tin SMS" in body and "612 ký tự" in body  # her SMS cap
    assert 'y' * 2000 in body  # her draft is kept in the box
    assert env.kinds(case) == ["created", "taken"] and env.sent_to(case) == []
    chat = env.open_case("telegram-1", channel="telegram")
    env.store.take(chat.id, "lan")
    response, body = await browser.post(f"/cases/{chat.id}/reply", {"text": "y" * 2000})
    assert response.status == 400 and "tối đa 1600" in body  # CaseActions' own limit
    assert env.sent_to(chat) == []


async def test_a_move_the_state_does_not_allow_is_409_with_the_reason(env, browser_for):
    case = env.open_case()
    env.store.acknowledge(case.id, "hoa")
    browser = await browser_for("lan")
    response, body = await browser.post(f"/cases/{case.id}/take?lang=en")
    assert response.status == 409
    assert "was acknowledged by hoa" in body and 'id="error"' in body


async def test_reassign_only_to_an_active_officer_covering_the_country(env, browser_for):
    case = env.open_case()
    env.store.acknowledge(case.id, "lan")
    browser = await browser_for("lan")
    _, body = await browser.get(f"/cases/{case.id}")
    options = re.findall(r'<option value="([^"]+)"', body)
    assert sorted(options) == ["desk", "hoa"]  # not herself (she has it), not Japan's officer
    response, body = await browser.post(f"/cases/{case.id}/reassign", {"to": "minh"})
    assert response.status == 400 and "không phụ trách" in body
    response, _ = await browser.post(f"/cases/{case.id}/reassign", {"to": "ghost"})
    assert response.status == 400
    env.officers.set_active("hoa", False)
    response, _ = await browser.post(f"/cases/{case.id}/reassign", {"to": "hoa"})
    assert response.status == 400
    env.officers.set_active("hoa", True)
    response, body = await browser.post(f"/cases/{case.id}/reassign", {"to": "hoa", "reason": "ca đêm"})
    assert response.status == 200 and "Đã chuyển vụ việc." in body
    reassigned = env.store.get_case(case.id)
    assert reassigned.assigned_officer == "hoa" and reassigned.status == "acknowledged"
    assert (reassigned.events[-1].kind, reassigned.events[-1].actor) == ("reassigned", "lan")
    assert reassigned.events[-1].detail == {"from": "lan", "to": "hoa", "reason": "ca đêm"}
    assert env.kinds(case) == ["created", "acknowledged", "reassigned"]  # the refusals left no trace


async def test_an_unexpected_failure_is_503_without_detail_in_the_page_or_the_log(env, browser_for, caplog,
                                                                                 monkeypatch):
    case = env.open_case()
    monkeypatch.setattr(env.store, "acknowledge", database_fails)
    browser = await browser_for("lan")
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    response, body = await browser.post(f"/cases/{case.id}/ack")
    assert response.status == 503 and "em bi danh" not in body and "+886900000001" not in body
    assert "Hệ thống tạm thời không phục vụ được" in body
    assert "OperationalError" in caplog.text
    assert "em bi danh" not in caplog.text and "+886900000001" not in caplog.text


async def test_the_log_holds_no_passwords_transcripts_or_numbers(env, browser_for, caplog):
    caplog.set_level(logging.DEBUG)
    case = env.open_case("+886912345678", messages=[("in", "em bi danh o Dai Trung")])
    browser = await browser_for()
    await browser.login("lan", "wrong password, the secret one")
    await browser.login("lan")
    await browser.get(f"/cases/{case.id}")
    await browser.post(f"/cases/{case.id}/reply", {"text": "Chi o dau? goi 0912"})
    await browser.get("/api/cases?conversation_id=%2B886912345678")
    for secret in ("wrong password", "correct horse", "Dai Trung", "Chi o dau", "886912345678", "csrf", "hc_session"):
        assert secret not in caplog.text, secret
    assert "Officer lan signed in" in caplog.text and f"reply on case id {case.id}" in caplog.text


async def test_an_unknown_action_is_404(env, browser_for):
    case = env.open_case()
    browser = await browser_for("lan")
    response, _ = await browser.post(f"/cases/{case.id}/explode")
    assert response.status == 404


async def test_not_signed_in_means_the_login_page(env, console):
    case = env.open_case()
    browser = Browser(console)
    try:
        for path in ("/", "/queue", f"/cases/{case.id}"):
            response, _ = await browser.get(path)
            assert response.url.path == "/login", path
    finally:
        await browser.close()
