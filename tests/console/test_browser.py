"""The officer console in a real browser: headless Chromium (Debian's chromium and
chromium-driver, installed by scripts/install-browser.sh when missing) through
login → queue → case → take → reply → close, asserting what the officer sees at each step.

The console is composed as `python -m bot console` composes it (the real CaseActions over the
test Redis), so what she gets is checked where the channel pipeline picks it up: her channel's
inbox stream, and the handoff that keeps the bot out while an officer holds her conversation.
Chromium that cannot be installed fails this test (it is not skipped): the message says what to
install.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.console.conftest import JOINED, LEFT, PASSWORD, ServedInThread, build_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "scripts" / "install-browser.sh"
WAIT_SECONDS = 20


def _browser_binaries():
    return shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="session")
def chromium():
    chromium, driver = _browser_binaries()
    if not (chromium and driver):
        result = subprocess.run([str(INSTALLER)], capture_output=True, text=True, timeout=1200)
        chromium, driver = _browser_binaries()
        if not (chromium and driver):
            pytest.fail(
                "The browser test needs Debian's chromium and chromium-driver, and "
                f"{INSTALLER.relative_to(ROOT)} could not install them (exit {result.returncode}):\n"
                f"{result.stderr.strip()[-1500:]}\n"
                "Install them (apt-get install -y --no-install-recommends chromium chromium-driver) "
                "or put chromium and chromedriver on PATH.",
                pytrace=False,
            )
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.fail("The browser test needs selenium: .venv/bin/pip install -r requirements.lock", pytrace=False)
    return chromium, driver


@pytest.fixture
def driver(chromium, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, chromedriver = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,1000", "--lang=vi", "--no-first-run", "--disable-extensions",
                     f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=chromedriver, log_output=str(tmp_path / "chromedriver.log")),
                               options=options)
    browser.set_page_load_timeout(WAIT_SECONDS)
    yield browser
    browser.quit()


def test_an_officer_signs_in_answers_a_worker_and_closes_the_case(env, driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    case = env.open_case("+886912345678", "TW", "critical", channel="twilio", language="vi",
                         summary="bị chủ giữ hộ chiếu", consent="not_required",
                         messages=[("in", "chu giu ho chieu cua em, em bi nhot trong nha"),
                                   ("out", "Chị có đang an toàn không?"),
                                   ("in", "<b>em so lam</b>")])
    japan = env.open_case("+81900000001", "JP", "critical", messages=[("in", "Osaka secret")])
    env.clock.advance(minutes=3)  # past the 2-minute SLA of a critical case

    wait = WebDriverWait(driver, WAIT_SECONDS)

    def submit(button_id: str) -> None:
        """Click a form's button and wait for the next page: else a lookup can find the old
        page's element (its flash message) just before it goes stale."""
        page = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.ID, button_id).click()
        wait.until(ready.staleness_of(page))

    with ServedInThread(build_app(env)) as server:
        # Login: the queue sends her to the login page, in Vietnamese.
        driver.get(server.base + "/queue")
        wait.until(ready.presence_of_element_located((By.ID, "login-form")))
        assert "Đăng nhập" in driver.title
        driver.find_element(By.ID, "username").send_keys("lan")
        driver.find_element(By.ID, "password").send_keys("wrong password!")
        submit("sign-in")
        assert wait.until(ready.presence_of_element_located((By.ID, "error"))).text == "Sai tên đăng nhập hoặc mật khẩu."
        driver.find_element(By.ID, "username").clear()
        driver.find_element(By.ID, "username").send_keys("lan")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        submit("sign-in")

        # Queue: her country's case, overdue in red, with a ticking timer; not Japan's.
        row = wait.until(ready.presence_of_element_located((By.ID, f"case-{case.id}")))
        assert driver.current_url.endswith("/queue")
        assert "Nguyễn Thị Lan" in driver.find_element(By.TAG_NAME, "header").text
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        assert cells[:7] == [case.number, "Khẩn cấp", "TW", "vi", "twilio", "Mới", "chưa có"]
        sla = row.find_element(By.CLASS_NAME, "sla")
        assert "overdue" in (sla.get_attribute("class") or "") and sla.text.startswith("QUÁ HẠN")
        assert sla.value_of_css_property("color") in ("rgba(176, 0, 32, 1)", "rgb(176, 0, 32)")
        first = sla.text
        wait.until(lambda _: sla.text != first)  # console.js runs (the CSP allows it) and ticks
        assert not driver.find_elements(By.ID, f"case-{japan.id}")

        # Case page: the transcript, escaped, with who said what; consent and channel.
        row.find_element(By.LINK_TEXT, case.number).click()
        wait.until(ready.presence_of_element_located((By.ID, "transcript")))
        assert driver.find_element(By.ID, "case-title").text == f"Vụ việc {case.number}"
        messages = driver.find_elements(By.CSS_SELECTOR, "#transcript .msg .text")
        assert [m.text for m in messages] == ["chu giu ho chieu cua em, em bi nhot trong nha",
                                              "Chị có đang an toàn không?", "<b>em so lam</b>"]
        assert not driver.find_elements(By.CSS_SELECTOR, "#transcript b")
        assert "Không cần hỏi (nguy hiểm tức thời)" in driver.find_element(By.ID, "case-consent").text
        assert "bị chủ giữ hộ chiếu" in driver.page_source

        # Take: the bot pauses for her, and she is told a person has joined.
        submit("take-button")
        assert "Bạn đã nhận xử lý vụ việc" in wait.until(ready.presence_of_element_located((By.ID, "flash"))).text
        assert driver.find_element(By.ID, "case-status").get_attribute("data-status") == "taken"
        assert "Nguyễn Thị Lan" in driver.find_element(By.ID, "case-officer").text
        assert env.held(case) and env.sent_to(case) == [JOINED]

        # Reply: shown under her name, and on its way over the worker's own channel.
        reply = "Chào chị, tôi là cán bộ lãnh sự. Chị đang ở thành phố nào?"
        driver.find_element(By.ID, "reply-text").send_keys(reply)
        submit("reply-button")
        assert wait.until(ready.presence_of_element_located((By.ID, "flash"))).text == "Đã gửi tin nhắn."
        last = driver.find_elements(By.CSS_SELECTOR, "#transcript .msg")[-1]
        assert last.find_element(By.CLASS_NAME, "text").text == reply
        assert last.find_element(By.CLASS_NAME, "from").text == "Nguyễn Thị Lan"
        assert env.sent_to(case) == [JOINED, reply]

        # Close, with a reason: the bot says goodbye and resumes; the case leaves the queue.
        driver.find_element(By.ID, "close-reason").send_keys("Đã liên hệ chủ lao động")
        submit("close-button")
        assert wait.until(ready.presence_of_element_located((By.ID, "flash"))).text == "Đã đóng vụ việc."
        assert driver.find_element(By.ID, "case-status").get_attribute("data-status") == "closed"
        assert driver.find_element(By.ID, "closed-notice").text == "Vụ việc đã đóng."
        assert not driver.find_elements(By.ID, "reply-text")
        goodbye = driver.find_elements(By.CSS_SELECTOR, "#transcript .msg")[-1]
        assert LEFT in goodbye.text and env.sent_to(case)[-1].startswith(LEFT)
        assert "Đã liên hệ chủ lao động" in driver.find_element(By.ID, "events").text
        assert not env.held(case)

        driver.find_element(By.LINK_TEXT, "Hàng chờ").click()
        wait.until(ready.presence_of_element_located((By.ID, "queue-empty")))

        # Another country's case is refused, without any of it.
        driver.get(f"{server.base}/cases/{japan.id}")
        assert driver.find_element(By.ID, "error-message").text == "Vụ việc này thuộc quốc gia bạn không phụ trách."
        assert "Osaka" not in driver.page_source

        # English, then sign out.
        driver.get(server.base + "/queue?lang=en")
        assert "Case queue" in driver.find_element(By.TAG_NAME, "h1").text
        driver.find_element(By.ID, "logout").click()
        assert "You have signed out." in wait.until(ready.presence_of_element_located((By.ID, "flash"))).text
        driver.get(server.base + "/queue")
        wait.until(ready.presence_of_element_located((By.ID, "login-form")))

        # No CSP violations, no script errors (the 401 and 403 above are network entries).
        problems = [entry["message"] for entry in driver.get_log("browser")
                    if entry["level"] in ("SEVERE", "WARNING") and entry.get("source") != "network"]
        assert problems == [], problems
