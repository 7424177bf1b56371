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

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.console.conftest import JOINED, LEFT, PASSWORD, ServedInThread, build_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "scripts" / "install-browser.sh"
WAIT_SECONDS = 20
#: CONSOLE_SCREENSHOTS=1 writes the screenshots of docs/console.md here; otherwise none is taken.
SCREENSHOTS = ROOT / "docs" / "images"
PHONE = (390, 844)
DESKTOP = (1280, 1000)


def gone(element):
    """A wait condition: the element left the document (the next page loaded). Chromium may
    answer the check itself with "Node ... does not belong to the document" while the old page
    is being torn down: that also means gone, not a failure."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def check(_driver) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            return "does not belong to the document" in str(error)
        return False

    return check


def screenshot(driver, name: str) -> None:
    """docs/images/console-<name>.png, only when CONSOLE_SCREENSHOTS=1 (make test leaves the tree alone)."""
    if os.environ.get("CONSOLE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / f"console-{name}.png"))


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
        wait.until(gone(page))

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
        driver.find_element(By.ID, "close-button").click()  # asks first, in the page
        question = wait.until(ready.visibility_of_element_located((By.ID, "close-question")))
        assert question.text.startswith(f"Đóng vụ việc {case.number}?")
        driver.find_element(By.ID, "close-cancel").click()  # changed her mind: nothing happens
        assert not question.is_displayed() and driver.find_element(By.ID, "close-button").is_displayed()
        assert env.store.get_case(case.id).status == "taken"
        driver.find_element(By.ID, "close-button").click()
        wait.until(ready.visibility_of_element_located((By.ID, "close-yes")))
        submit("close-yes")
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


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_at_night_on_a_phone_or_a_desktop_the_case_shows_what_happened_and_replies_arrive_whole(env, driver, width):
    """The queue as cards at 390 px, the transcript from her opening message (marked), times in the
    officer's zone, the SMS counter as she types, the refusal of a reply SMS would cut, and her
    new message appearing without a reload."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    phone = width == "phone"
    driver.set_window_size(*(PHONE if phone else DESKTOP))
    driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Taipei"})
    opening = "cuu em voi, chu nhot em trong nha, danh em chay mau"
    case = env.open_case("+886912345678", "TW", "critical", summary="bị chủ đánh, bị nhốt", consent="not_required")
    env.store.record_message(case.id, "in", opening, opening=True)
    env.store.record_message(case.id, "out", "Chị đang ở đâu? Cán bộ lãnh sự trực đang được báo.")
    env.open_case("+886900000002", "TW", "high", channel="telegram", summary="giữ hộ chiếu, nợ lương")
    env.clock.advance(minutes=1)
    wait = WebDriverWait(driver, WAIT_SECONDS)

    with ServedInThread(build_app(env)) as server:
        driver.get(server.base + "/login?next=/queue")
        driver.find_element(By.ID, "username").send_keys("lan")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "sign-in").click()
        row = wait.until(ready.presence_of_element_located((By.ID, f"case-{case.id}")))
        assert driver.execute_script("return document.documentElement.scrollWidth") <= driver.execute_script(
            "return window.innerWidth")  # nothing off screen
        if phone:  # a card: the SLA timer next to the case number, labelled, not a column off screen
            assert row.value_of_css_property("display") == "grid"
            assert not driver.find_element(By.CSS_SELECTOR, "#queue thead").is_displayed()
            assert row.find_element(By.CLASS_NAME, "sla").is_displayed()
        else:
            assert row.value_of_css_property("display") == "table-row"
        assert "Asia/Taipei" in driver.find_element(By.ID, "tz").text
        screenshot(driver, f"queue-{width}")

        driver.get(f"{server.base}/cases/{case.id}")
        first = wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#transcript .msg")))
        assert "opening" in first.get_attribute("class") and opening in first.text
        assert "Tin nhắn mở vụ việc" in first.text
        when = first.find_element(By.TAG_NAME, "time")
        assert "UTC" in when.get_attribute("title") and "UTC" not in when.text  # her time in Taipei
        assert "08:00" in when.get_attribute("title") and "16:00" in when.text
        if phone:  # the transcript and the reply box before the details
            reply_top = driver.find_element(By.ID, "reply-text").location["y"]
            assert reply_top < driver.find_element(By.CSS_SELECTOR, "table.info").location["y"]

        # The counter, as the officer types: from the server, by the channel's rules.
        box = driver.find_element(By.ID, "reply-text")
        box.send_keys("Chào chị")
        counter = driver.find_element(By.ID, "reply-budget")
        wait.until(lambda _: counter.text.startswith("8/268 ký tự · 1/4 tin SMS (UCS-2)"))
        box.send_keys(" ồ" * 140)
        wait.until(lambda _: "Không gửi" in counter.text)
        assert "over" in counter.get_attribute("class") and "tin SMS" in counter.text
        driver.execute_script("document.getElementById('case-title').scrollIntoView()")
        screenshot(driver, f"case-{width}")

        # Sent anyway: refused by the server with the reason, the draft kept, nothing sent or cut.
        page = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.ID, "reply-button").click()
        wait.until(gone(page))
        error = wait.until(ready.presence_of_element_located((By.ID, "error")))
        assert "Không gửi" in error.text and "4 (268 ký tự)" in error.text
        assert driver.find_element(By.ID, "reply-text").get_attribute("value").startswith("Chào chị ồ")
        assert env.sent_to(case) == []

        # She writes: the page shows it without a reload.
        marker = driver.find_element(By.ID, "case-title")
        env.store.record_message(case.id, "in", "em o tang 3, chu di vang roi")
        wait.until(lambda _: "em o tang 3" in driver.find_element(By.ID, "transcript").text)
        assert marker.is_displayed()  # the same page: not reloaded
        screenshot(driver, f"live-{width}")

        driver.find_element(By.ID, "close-button").click()
        wait.until(ready.visibility_of_element_located((By.ID, "close-yes")))
        driver.execute_script("document.getElementById('close-confirm').scrollIntoView({block: 'center'})")
        screenshot(driver, f"close-{width}")

        problems = [entry["message"] for entry in driver.get_log("browser")
                    if entry["level"] in ("SEVERE", "WARNING") and entry.get("source") != "network"]
        assert problems == [], problems
