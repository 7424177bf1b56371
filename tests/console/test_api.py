"""The JSON API: bearer tokens, the session cookie with X-CSRF-Token, and every error path."""
from __future__ import annotations

import http.client
import json
from typing import Optional
from urllib.parse import urlsplit

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.console.conftest import JOINED, LEFT, Browser, ServedInThread, build_app, database_fails


@pytest.fixture
async def api(console, env):
    session = aiohttp.ClientSession()

    async def call(method: str, path: str, *, as_user: Optional[str] = "lan", body=None, raw: Optional[bytes] = None,
                   headers=None):
        headers = dict(headers or {})
        if as_user is not None:
            headers.setdefault("Authorization", f"Bearer {env.tokens[as_user]}")
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        async with session.request(method, console + path, data=data, headers=headers) as response:
            text = await response.text()
            try:
                payload = json.loads(text)
            except ValueError:
                payload = None
            return response, payload

    yield call
    await session.close()


async def test_no_token_or_a_bad_one_is_401(api, env):
    for headers in ({}, {"Authorization": "Bearer hlp_not-a-real-token"}, {"Authorization": "Basic bGFuOnB3"},
                    {"Authorization": "Bearer"}, {"Authorization": "Bearer " + "x" * 5000}):
        response, payload = await api("GET", "/api/cases", as_user=None, headers=headers)
        assert response.status == 401, headers
        assert payload["error"] == "unauthorized" and response.headers["WWW-Authenticate"].startswith("Bearer")
    env.officers.set_active("lan", False)  # also revokes the token
    response, _ = await api("GET", "/api/cases")
    assert response.status == 401


async def test_list_cases_with_filters_and_only_her_countries(api, env):
    first = env.open_case("+886900000001", "TW", "high")
    second = env.open_case("+886900000002", "TW", "critical")
    env.store.acknowledge(second.id, "hoa")
    japan = env.open_case("+81900000003", "JP", "critical")
    response, payload = await api("GET", "/api/cases")
    assert response.status == 200
    assert [case["number"] for case in payload["cases"]] == [second.number, first.number]
    response, payload = await api("GET", "/api/cases?status=open")
    assert [case["id"] for case in payload["cases"]] == [first.id]
    response, payload = await api("GET", "/api/cases?status=open,acknowledged&country=tw")
    assert len(payload["cases"]) == 2
    response, payload = await api("GET", "/api/cases?conversation_id=%2B886900000002")
    assert [case["id"] for case in payload["cases"]] == [second.id]
    assert payload["cases"][0]["assigned_officer"] == "hoa" and "events" not in payload["cases"][0]
    response, payload = await api("GET", "/api/cases?conversation_id=%2B81900000003")
    assert payload["cases"] == []  # Japan's, not hers
    response, payload = await api("GET", "/api/cases?country=JP")
    assert response.status == 403 and payload["error"] == "forbidden"
    response, payload = await api("GET", "/api/cases", as_user="desk")
    assert {case["id"] for case in payload["cases"]} == {first.id, second.id, japan.id}
    response, payload = await api("GET", "/api/cases?limit=1", as_user="desk")
    assert len(payload["cases"]) == 1


@pytest.mark.parametrize("query", ["status=bogus", "status=,", "country=TWN", "country=1", "limit=0", "limit=501",
                                   "limit=-1", "limit=abc", "conversation_id=" + "x" * 300])
async def test_bad_filters_are_400(api, query):
    response, payload = await api("GET", f"/api/cases?{query}")
    assert response.status == 400 and payload["error"] == "invalid_value" and payload["reason"]


async def test_get_a_case_with_its_events(api, env):
    case = env.open_case(messages=[("in", "em bi danh"), ("out", "Chị có an toàn không?")])
    env.clock.advance(minutes=3)
    response, payload = await api("GET", f"/api/cases/{case.id}")
    assert response.status == 200
    data = payload["case"]
    assert data["number"] == case.number and data["status"] == "open" and data["overdue"] is True
    assert data["waiting_seconds"] == 180 and data["ack_deadline"].startswith("2026-11-23T08:02:00")
    assert [event["kind"] for event in data["events"]] == ["created", "message_in", "message_out"]
    assert data["events"][1]["detail"] == {"text": "em bi danh"} and data["events"][1]["actor"] == "worker"


async def test_another_countrys_case_is_403_and_reveals_nothing(api, env):
    case = env.open_case("+81900000001", "JP", messages=[("in", "secret from Osaka")])
    response, payload = await api("GET", f"/api/cases/{case.id}")
    assert response.status == 403 and payload == {"error": "forbidden", "reason": "you do not cover this case's country"}
    for action, body in (("ack", None), ("take", None), ("reply", {"text": "x"}), ("close", {}),
                         ("reassign", {"to": "minh"}), ("note", {"text": "x"})):
        response, payload = await api("POST", f"/api/cases/{case.id}/{action}", body=body)
        assert response.status == 403 and "Osaka" not in json.dumps(payload), action
    assert env.kinds(case) == ["created", "message_in"]
    assert env.sent_to(case) == [] and not env.held(case)
    response, _ = await api("GET", f"/api/cases/{case.id}", as_user="minh")
    assert response.status == 200


async def test_unknown_cases_and_actions_are_404(api, env):
    case = env.open_case()
    for method, path in (("GET", "/api/cases/999"), ("POST", "/api/cases/999/ack"),
                         ("POST", f"/api/cases/{case.id}/explode"), ("GET", "/api/cases/abc"),
                         ("GET", "/api/nothing")):
        response, payload = await api(method, path)
        assert response.status == 404 and payload["error"] == "not_found", path
    response, payload = await api("GET", f"/api/cases/{case.id}/ack")
    assert response.status == 405 and payload["error"] == "method_not_allowed"


async def test_the_whole_handling_of_a_case(api, env):
    case = env.open_case(messages=[("in", "cuu em")])
    response, payload = await api("POST", f"/api/cases/{case.id}/ack")
    assert response.status == 200 and payload["case"]["status"] == "acknowledged"
    response, payload = await api("POST", f"/api/cases/{case.id}/take", body={})
    assert payload["case"]["status"] == "taken" and payload["case"]["assigned_officer"] == "lan"
    assert env.held(case) and env.sent_to(case) == [JOINED]
    response, payload = await api("POST", f"/api/cases/{case.id}/reply", body={"text": "Chị ở đâu?"})
    assert response.status == 200 and env.sent_to(case) == [JOINED, "Chị ở đâu?"]
    response, payload = await api("POST", f"/api/cases/{case.id}/note", body={"text": "note"})
    assert response.status == 200
    response, payload = await api("POST", f"/api/cases/{case.id}/reassign", body={"to": "hoa", "reason": "shift"})
    assert response.status == 200 and payload["case"]["assigned_officer"] == "hoa"
    response, payload = await api("POST", f"/api/cases/{case.id}/close", as_user="hoa", body={"reason": "safe"})
    assert response.status == 200 and payload["case"]["status"] == "closed"
    assert not env.held(case) and env.sent_to(case)[-1].startswith(LEFT)
    response, payload = await api("POST", f"/api/cases/{case.id}/close", body={"reason": "again"})
    assert response.status == 409 and payload["error"] == "invalid_transition" and "closed" in payload["reason"]
    assert len(env.sent_to(case)) == 3  # no second goodbye
    assert [(event.kind, event.actor) for event in env.store.get_case(case.id).events] == [
        ("created", "bot"), ("message_in", "worker"), ("acknowledged", "lan"), ("taken", "lan"),
        ("message_out", "system"), ("message_out", "lan"), ("note", "lan"), ("reassigned", "lan"),
        ("message_out", "system"), ("closed", "hoa"),
    ]


@pytest.mark.parametrize("action,body,status,error", [
    ("reply", {}, 400, "invalid_value"),
    ("reply", {"text": ""}, 400, "invalid_value"),
    ("reply", {"text": 42}, 400, "invalid_value"),
    ("reply", {"text": "x" * 1601}, 400, "invalid_value"),  # CaseActions' limit
    ("reply", {"text": "a\u0000b"}, 400, "invalid_value"),
    ("note", {"text": ["a"]}, 400, "invalid_value"),
    ("note", {"text": "x" * 4001}, 400, "invalid_value"),
    ("close", {"reason": {"a": 1}}, 400, "invalid_value"),
    ("reassign", {}, 400, "invalid_value"),
    ("reassign", {"to": "minh"}, 400, "invalid_value"),
    ("reassign", {"to": "nobody"}, 400, "invalid_value"),
    ("take", [], 400, "bad_json"),
    ("take", "text", 400, "bad_json"),
])
async def test_bad_bodies_are_400_with_a_reason(api, env, action, body, status, error):
    case = env.open_case()
    env.store.take(case.id, "lan")
    response, payload = await api("POST", f"/api/cases/{case.id}/{action}", body=body)
    assert response.status == status and payload["error"] == error and payload["reason"]


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe\x00", b'{"text": "\\ud800"}', b"[" * 100_000,
                                 b'{"text": "' + b"\xc3\x28" + b'"}'])
async def test_malformed_json_is_400(api, env, raw):
    case = env.open_case()
    env.store.take(case.id, "lan")
    response, payload = await api("POST", f"/api/cases/{case.id}/reply", raw=raw)
    assert response.status == 400, payload


async def test_a_huge_body_is_413(api, env):
    case = env.open_case()
    response, payload = await api("POST", f"/api/cases/{case.id}/note", raw=b'{"text": "' + b"x" * 300_000 + b'"}')
    assert response.status == 413 and payload["error"] == "too_large"


async def test_an_unexpected_error_is_503_without_detail(api, env, monkeypatch):
    case = env.open_case()
    monkeypatch.setattr(env.store, "acknowledge", database_fails)
    response, payload = await api("POST", f"/api/cases/{case.id}/ack")
    assert response.status == 503
    assert payload == {"error": "unavailable", "reason": "the service is temporarily unavailable; try again"}


async def test_the_session_cookie_works_for_the_api_with_the_csrf_header(env, browser_for):
    case = env.open_case()
    browser: Browser = await browser_for("lan")
    response, body = await browser.get("/api/cases")
    assert response.status == 200 and json.loads(body)["cases"][0]["id"] == case.id
    response, body = await browser.post(f"/api/cases/{case.id}/ack", csrf=False)
    assert response.status == 403 and json.loads(body)["error"] == "csrf"
    response, body = await browser.post(f"/api/cases/{case.id}/ack", csrf=False,
                                        headers={"X-CSRF-Token": "nope"})
    assert response.status == 403
    await browser.get("/queue")
    assert env.kinds(case) == ["created"]  # the refused posts did nothing
    async with browser.session.post(browser.base + f"/api/cases/{case.id}/ack", json={},
                                    headers={"X-CSRF-Token": browser.csrf or ""}) as response:
        assert response.status == 200
    assert env.kinds(case) == ["created", "acknowledged"]
    assert env.store.get_case(case.id).assigned_officer == "lan"


async def test_bearer_requests_need_no_csrf_and_ignore_cookies(api, env):
    case = env.open_case()
    response, payload = await api("POST", f"/api/cases/{case.id}/ack", headers={"Cookie": "hc_session=forged"})
    assert response.status == 200 and payload["case"]["assigned_officer"] == "lan"


# --- fuzz -------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
field_values = st.one_of(json_values, st.text(max_size=2000), st.sampled_from(["lan", "hoa", "minh", "desk", ""]))
bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"text": field_values, "reason": field_values, "to": field_values}).map(
        lambda body: json.dumps(body).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


@pytest.fixture
def threaded(env):
    with ServedInThread(build_app(env)) as server:
        yield server


def _request(server: ServedInThread, method: str, path: str, body: Optional[bytes] = None, headers=None):
    address = urlsplit(server.base)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(["tw", "jp", "missing"]), action=st.sampled_from(
    ["ack", "take", "reply", "close", "reassign", "note", "x"]), body=bodies,
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded"]))
def test_fuzzed_action_bodies_never_get_a_5xx(env, threaded, case, action, body, content_type):
    if not hasattr(env, "fuzz_cases"):
        env.fuzz_cases = {"tw": env.open_case("+886900000001", "TW").id,
                          "jp": env.open_case("+81900000002", "JP").id, "missing": 99999}
    case_id = env.fuzz_cases[case]
    status, raw = _request(threaded, "POST", f"/api/cases/{case_id}/{action}", body, {
        "Authorization": f"Bearer {env.tokens['lan']}", "Content-Type": content_type})
    assert status < 500, raw[:300]
    payload = json.loads(raw)
    if status >= 400:
        assert payload["error"] and payload["reason"]
    current = env.store.get_case(env.fuzz_cases["tw"], with_events=False)
    if current.status == "closed":  # keep something to act on
        env.fuzz_cases["tw"] = env.open_case(f"+8869{current.id:08d}", "TW").id


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(["status", "country", "conversation_id", "limit", "lang"]),
                             st.text(max_size=40), max_size=4))
def test_fuzzed_list_queries_never_get_a_5xx(env, threaded, query):
    from urllib.parse import urlencode

    status, raw = _request(threaded, "GET", "/api/cases?" + urlencode(query, encoding="utf-8", errors="surrogatepass"),
                           headers={"Authorization": f"Bearer {env.tokens['lan']}"})
    assert status in (200, 400, 403), raw[:300]
