"""Login, its delays, sessions, CSRF and the headers every response carries."""
from __future__ import annotations

import re

import pytest

from bot.console.security import SessionCodec
from tests.console.conftest import PASSWORD, SECRET, Browser, build_app
from tests.support.serving import serve_app


async def test_login_shows_the_queue_in_vietnamese(browser_for):
    browser = await browser_for()
    response, body = await browser.get("/queue")
    assert response.url.path == "/login"
    assert "Đăng nhập" in body and 'lang="vi"' in body
    response, body = await browser.post("/login", {"username": "lan", "password": PASSWORD})
    assert response.status == 200 and response.url.path == "/queue"
    assert "Hàng chờ vụ việc" in body and "Nguyễn Thị Lan" in body


async def test_english_on_request_and_remembered(browser_for):
    browser = await browser_for("lan")
    _, body = await browser.get("/queue?lang=en")
    assert "Case queue" in body and 'lang="en"' in body
    _, body = await browser.get("/queue")
    assert "Case queue" in body
    _, body = await browser.get("/queue?lang=vi")
    assert "Hàng chờ vụ việc" in body


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(browser_for):
    browser = await browser_for()
    response, body = await browser.login("lan", "wrong password here")
    assert response.status == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in body
    response, body2 = await browser.login("nobody-here", "wrong password here")
    assert response.status == 401 and "Sai tên đăng nhập hoặc mật khẩu." in body2
    response, _ = await browser.get("/queue")
    assert response.url.path == "/login"


async def test_a_disabled_officer_cannot_sign_in_and_loses_their_session(env, browser_for):
    browser = await browser_for("lan")
    env.officers.set_active("lan", False)
    response, _ = await browser.get("/queue")
    assert response.url.path == "/login"
    response, _ = await browser.login("lan")
    assert response.status == 401


async def test_five_failures_make_the_username_wait_seconds_then_the_right_password_gets_in(env, browser_for):
    browser = await browser_for()
    for attempt in range(4):
        response, _ = await browser.login("lan", f"wrong password {attempt}")
        assert response.status == 401
    response, body = await browser.login("lan", "wrong password 5")
    assert response.status == 429 and "đợi 5 giây" in body and response.headers["Retry-After"] == "5"
    # During the delay even the right password waits, and is told for how long.
    env.clock.advance(seconds=2)
    response, body = await browser.login("lan")
    assert response.status == 429 and "đợi 3 giây" in body
    # Other usernames are not affected.
    other = await browser_for()
    response, _ = await other.login("hoa")
    assert response.status == 200 and response.url.path == "/queue"
    env.clock.advance(seconds=3)
    response, _ = await browser.login("lan")
    assert response.status == 200 and response.url.path == "/queue"


async def test_the_delay_doubles_with_each_failure_up_to_a_minute_and_a_success_clears_it(env, browser_for):
    browser = await browser_for()
    for attempt in range(5):
        await browser.login("lan", f"wrong password {attempt}")
    waits = []
    for attempt in range(6):
        env.clock.advance(minutes=1)
        response, _ = await browser.login("lan", f"still wrong {attempt}")
        assert response.status == 429
        waits.append(int(response.headers["Retry-After"]))
    assert waits == [10, 20, 40, 60, 60, 60]  # never a lockout: at most a minute
    env.clock.advance(minutes=1)
    response, _ = await browser.login("lan")
    assert response.status == 200
    await browser.post("/logout")
    response, _ = await browser.login("lan", "one more wrong one")
    assert response.status == 401  # counting from zero again


async def test_the_supervisor_unlocks_an_account_from_the_command_line(env, browser_for, monkeypatch, capsys):
    from bot.cli.officers import main

    browser = await browser_for()
    for attempt in range(5):
        await browser.login("lan", f"wrong password {attempt}")
    response, _ = await browser.login("lan")
    assert response.status == 429
    monkeypatch.setenv("REDIS_URL", env.redis_url)
    assert main(["unlock", "LAN"]) == 0  # usernames are case-folded
    assert "Cleared the failed sign-ins of LAN." in capsys.readouterr().out
    response, _ = await browser.login("lan")
    assert response.status == 200 and response.url.path == "/queue"
    assert main(["unlock", "lan"]) == 0
    assert "No failed sign-ins were recorded for lan." in capsys.readouterr().out


async def test_a_login_without_the_csrf_token_is_forbidden(browser_for):
    browser = await browser_for()
    await browser.get("/login")
    response, body = await browser.post("/login", {"username": "lan", "password": PASSWORD}, csrf=False)
    assert response.status == 403
    assert "Biểu mẫu đã hết hạn" in body and 'href="/login" id="retry"' in body
    assert "Set-Cookie" not in response.headers  # never replaces a session (cross-site POSTs carry none)
    response, _ = await browser.login("lan")
    assert response.status == 200 and response.url.path == "/queue"


async def test_state_changing_posts_without_csrf_are_forbidden(env, browser_for):
    case = env.open_case()
    browser = await browser_for("lan")
    for action, data in (("ack", {}), ("take", {}), ("note", {"text": "x"}), ("close", {"reason": "x"})):
        response, _ = await browser.post(f"/cases/{case.id}/{action}", data, csrf=False)
        assert response.status == 403, action
        response, _ = await browser.post(f"/cases/{case.id}/{action}", {**data, "csrf_token": "forged"}, csrf=False)
        assert response.status == 403, action
    response, _ = await browser.post("/logout", csrf=False)
    assert response.status == 403 and "Set-Cookie" not in response.headers
    response, _ = await browser.get("/queue")
    assert response.url.path == "/queue"  # still signed in
    assert env.kinds(case) == ["created"] and env.store.get_case(case.id).status == "open"
    assert env.sent_to(case) == [] and not env.held(case)


async def test_a_token_from_another_session_does_not_work(env, browser_for):
    case = env.open_case()
    lan = await browser_for("lan")
    hoa = await browser_for("hoa")
    await hoa.get("/queue")
    response, _ = await lan.post(f"/cases/{case.id}/ack", {"csrf_token": hoa.csrf or ""}, csrf=False)
    assert response.status == 403
    assert env.kinds(case) == ["created"]


async def test_the_session_cookie_is_httponly_lax_and_signed(env, console):
    browser = Browser(console)
    try:
        await browser.get("/login")
        async with browser.session.post(console + "/login", data={
            "username": "lan", "password": PASSWORD, "csrf_token": browser.csrf}, allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/queue"
            header = [value for value in response.headers.getall("Set-Cookie") if value.startswith("hc_session=")][0]
        lowered = header.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
        assert "secure" not in lowered  # plain http on loopback
        value = header.split(";")[0].split("=", 1)[1]
        session = SessionCodec(SECRET, clock=env.epoch).decode(value)
        assert session is not None and session.username == "lan"
        assert SessionCodec("another-secret-of-enough-length-0123456789", clock=env.epoch).decode(value) is None
    finally:
        await browser.close()


async def test_cookies_are_secure_when_the_console_is_served_over_https(env):
    async with serve_app(build_app(env, public_url="https://console.example.org")) as base:
        browser = Browser(base)
        try:
            async with browser.session.get(base + "/login") as response:
                header = response.headers.getall("Set-Cookie")[0]
            assert header.startswith("__Host-hc_session=")
            assert "secure" in header.lower()
        finally:
            await browser.close()


async def test_a_forged_or_tampered_cookie_is_no_session(env, console):
    browser = Browser(console)
    try:
        codec = SessionCodec(SECRET, clock=env.epoch)
        good = codec.encode(codec.new_session("lan"))
        body, signature = good.split(".")
        forged = SessionCodec("attacker-secret-attacker-secret-attacker", clock=env.epoch)
        for value in (forged.encode(forged.new_session("lan")), body + "." + signature[:-2] + "AA",
                      "garbage", "a.b.c", "." * 5000):
            browser.session.cookie_jar.clear()
            browser.session.cookie_jar.update_cookies({"hc_session": value})
            response, _ = await browser.get("/queue")
            assert response.url.path == "/login", value[:20]
        browser.session.cookie_jar.clear()
        browser.session.cookie_jar.update_cookies({"hc_session": good})
        response, _ = await browser.get("/queue")
        assert response.url.path == "/queue"
    finally:
        await browser.close()


async def test_sessions_expire_after_twelve_hours(env, browser_for):
    browser = await browser_for("lan")
    env.clock.advance(hours=11, minutes=59)
    response, _ = await browser.get("/queue")
    assert response.url.path == "/queue"
    env.clock.advance(minutes=2)
    response, body = await browser.get("/queue")
    assert response.url.path == "/login"
    response, _ = await browser.get("/api/cases")
    assert response.status == 401


async def test_logout_ends_the_session_even_for_a_copied_cookie(browser_for, console):
    browser = await browser_for("lan")
    cookie = next(c for c in browser.session.cookie_jar if c.key == "hc_session").value
    response, body = await browser.post("/logout")
    assert response.url.path == "/login" and "Bạn đã đăng xuất." in body
    thief = Browser(console)
    try:
        thief.session.cookie_jar.update_cookies({"hc_session": cookie})
        response, _ = await thief.get("/queue")
        assert response.url.path == "/login"
    finally:
        await thief.close()


async def test_login_returns_to_the_page_asked_for_and_only_to_a_console_page(env, browser_for):
    case = env.open_case()
    browser = await browser_for()
    response, body = await browser.get(f"/cases/{case.id}")
    assert response.url.path == "/login" and f'name="next" value="/cases/{case.id}"' in body
    response, _ = await browser.post("/login", {"username": "lan", "password": PASSWORD, "next": f"/cases/{case.id}"})
    assert response.url.path == f"/cases/{case.id}"
    other = await browser_for()
    await other.get("/login")
    response, _ = await other.post("/login", {"username": "lan", "password": PASSWORD, "next": "//evil.example/x"})
    assert response.url.path == "/queue" and response.url.host == "127.0.0.1"


@pytest.mark.parametrize("path", ["/login", "/queue", "/cases/1", "/api/cases", "/nowhere", "/static/console.css"])
async def test_security_headers_on_every_response(console, path):
    browser = Browser(console)
    try:
        response, _ = await browser.get(path, allow_redirects=False)
        headers = response.headers
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        if not path.startswith("/static/"):
            assert headers["Cache-Control"] == "no-store"
    finally:
        await browser.close()


async def test_pages_have_no_inline_script_or_style(env, browser_for):
    env.open_case(messages=[("in", "help")])
    browser = await browser_for("lan")
    for path in ("/login?lang=en", "/queue", "/cases/1"):
        _, body = await browser.get(path)
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), path
        assert "<style" not in body and " style=" not in body and " onclick=" not in body, path


async def test_login_delays_and_logouts_are_shared_by_console_processes_through_redis(redis_url, env):
    import uuid

    import redis.asyncio as aioredis

    from bot.console.security import LoginThrottle, Revocations

    one, two = (aioredis.Redis.from_url(redis_url, decode_responses=True) for _ in range(2))
    username = f"officer-{uuid.uuid4().hex[:8]}"
    try:
        first, second = LoginThrottle(one, clock=env.epoch), LoginThrottle(two, clock=env.epoch)
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
            assert (await first.admit(username, address)).wait_if_wrong == 0
        assert (await second.admit(username, "10.0.0.5")).wait_if_wrong == 5
        refused = await first.admit(username.upper(), "10.0.0.6")  # usernames are case-folded
        assert not refused.allowed and refused.wait == 5
        env.clock.advance(seconds=2)
        assert (await second.admit(username, "10.0.0.7")).wait == 3
        await first.succeeded(username)
        assert (await second.admit(username, "10.0.0.8")).allowed

        codec = SessionCodec(SECRET, clock=env.epoch)
        session = codec.new_session("lan")
        await Revocations(one, clock=env.epoch).revoke(session)
        assert await Revocations(two, clock=env.epoch).is_revoked(session)
        assert not await Revocations(two, clock=env.epoch).is_revoked(codec.new_session("lan"))
    finally:
        await one.close()
        await two.close()



@pytest.mark.parametrize("shared", [True, False], ids=["redis", "memory"])
async def test_sixty_parallel_guesses_get_at_most_the_limit_checked(shared, redis_url, env):
    import asyncio
    import uuid

    import redis.asyncio as aioredis

    from bot.console.security import ACCOUNT_THRESHOLD, LoginThrottle

    client = aioredis.Redis.from_url(redis_url, decode_responses=True) if shared else None
    try:
        throttle = LoginThrottle(client, clock=env.epoch)
        username = f"officer-{uuid.uuid4().hex[:8]}"
        admissions = await asyncio.gather(*(throttle.admit(username, f"10.1.0.{n}") for n in range(60)))
        assert sum(a.allowed for a in admissions) == ACCOUNT_THRESHOLD
    finally:
        if client is not None:
            await client.close()


async def test_one_address_trying_many_usernames_is_slowed_down(env):
    from bot.console.security import ADDRESS_THRESHOLD, LoginThrottle

    throttle = LoginThrottle(None, clock=env.epoch)
    admissions = [await throttle.admit(f"name-{n}", "203.0.113.7") for n in range(150)]
    assert sum(a.allowed for a in admissions) == ADDRESS_THRESHOLD
    assert (await throttle.admit("name-0", "198.51.100.1")).allowed  # another address is not held up


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "memory"])
async def test_an_address_backs_off_exponentially_and_its_successes_do_not_count(shared, redis_url, env):
    import uuid

    import redis.asyncio as aioredis

    from bot.console.security import ADDRESS_DELAY_SECONDS, ADDRESS_THRESHOLD, LoginThrottle

    client = aioredis.Redis.from_url(redis_url, decode_responses=True) if shared else None
    address = f"203.0.113.{uuid.uuid4().int % 250}"
    try:
        throttle = LoginThrottle(client, clock=env.epoch)
        for n in range(3 * ADDRESS_THRESHOLD):  # an office behind one address, every officer right
            assert (await throttle.admit(f"officer-{n}", address)).allowed
            await throttle.succeeded(f"officer-{n}", address)
        for n in range(ADDRESS_THRESHOLD - 1):
            assert (await throttle.admit(f"guess-{n}", address)).wait_if_wrong == 0
        assert (await throttle.admit("guess-last", address)).wait_if_wrong == ADDRESS_DELAY_SECONDS
        assert not (await throttle.admit("lan", address)).allowed
        env.clock.advance(seconds=ADDRESS_DELAY_SECONDS)
        assert (await throttle.admit("guess-again", address)).wait_if_wrong == 2 * ADDRESS_DELAY_SECONDS
    finally:
        if client is not None:
            await client.close()
