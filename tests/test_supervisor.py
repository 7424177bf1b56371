"""The runner's children die with it, and a stop is never cut short by a second signal."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.runtime.paths import PROJECT_ROOT
from tests.support.waiting import wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")

# A runner like `make run`'s, with one child: the same Stack, signals, watch and stop.
RUNNER = textwrap.dedent("""
    import os, sys
    from bot.cli.run import Stack, stop_on_signals, watch
    from bot.runtime.settings import Settings

    stack = Stack(Settings())
    stop_on_signals()
    try:
        child = stack.spawn("child", [sys.executable, "-c", sys.argv[1], sys.argv[2]], dict(os.environ))
        print(child.process.pid, flush=True)
        watch(stack)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop_for_good()
        print("stopped", child.process.returncode, flush=True)
""")
SLEEPER = "import sys, time; time.sleep(120)"
# Takes its time to stop, and says when it has begun.
SLOW_TO_STOP = textwrap.dedent("""
    import signal, sys, time
    from pathlib import Path
    def stopping(signum, frame):
        Path(sys.argv[1]).write_text("stopping")
        time.sleep(1.5)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stopping)
    Path(sys.argv[1]).write_text("ready")
    time.sleep(120)
""")


def start_runner(child_code: str, argument: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, child_code, argument], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # dead, waiting for whoever adopted it to reap it


def test_kill_9_of_the_runner_leaves_no_orphan():
    runner = start_runner(SLEEPER, "-")
    assert runner.stdout is not None
    child = int(runner.stdout.readline())
    assert not gone(child)
    runner.kill()
    runner.wait(30)
    wait_until(lambda: gone(child), timeout=30)


def test_a_second_signal_does_not_cut_the_stop_short(tmp_path):
    marker = tmp_path / "stopping"
    runner = start_runner(SLOW_TO_STOP, str(marker))
    assert runner.stdout is not None
    child = int(runner.stdout.readline())
    wait_until(lambda: marker.exists() and marker.read_text() == "ready", timeout=30)
    runner.send_signal(signal.SIGTERM)
    wait_until(lambda: marker.read_text() == "stopping", timeout=30)  # the runner waits in its stop
    runner.send_signal(signal.SIGTERM)
    runner.send_signal(signal.SIGINT)
    output, _ = runner.communicate(timeout=60)
    assert output.strip() == "stopped 0"
    assert runner.returncode == 0 and gone(child)


def test_what_a_child_writes_is_readable_by_this_user_only(tmp_path):
    from bot.cli.run import Stack
    from bot.runtime.settings import Settings

    written = tmp_path / "data"
    stack = Stack(Settings())
    child = stack.spawn("writer", [sys.executable, "-c", f"open({str(written)!r}, 'w').write('x')"], dict(os.environ))
    assert child.process.wait(30) == 0
    assert written.stat().st_mode & 0o777 == 0o600
