"""The runner restarts a child that exits, stops on a crash loop, takes its children with it when
killed, and never cuts a stop short on a second signal."""
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


def test_kill_9_of_a_child_is_healed_and_the_runner_still_stops_everything():
    runner = start_runner(SLEEPER, "-")
    assert runner.stdout is not None
    first = int(runner.stdout.readline())
    os.kill(first, signal.SIGKILL)
    lines = []
    while not lines or "started again" not in lines[-1]:
        lines.append(runner.stdout.readline())
        assert lines[-1], f"the runner ended: {lines}"
    assert lines[0].startswith("child was killed by SIGKILL")
    second = int(lines[-1].split("pid ")[1].rstrip(").\n"))
    assert second != first and not gone(second)
    runner.send_signal(signal.SIGTERM)
    output, _ = runner.communicate(timeout=60)
    assert output.strip() == "stopped -15"
    assert runner.returncode == 0 and gone(second)


# --- restarts, on stand-in processes and a clock the test moves: no real time passes -----------


class FakeProcess:
    """A child that exits by itself at its ``exit_at`` (on the test's clock), or runs until stopped."""

    pids = iter(range(1000, 100000))

    def __init__(self, clock: FakeClock, exit_at: float = float("inf"), code: int = 1):
        self.clock, self.exit_at, self.code = clock, exit_at, code
        self.pid = next(self.pids)
        self.returncode = None
        self.signals = []

    def poll(self):
        if self.returncode is None and self.clock.now >= self.exit_at:
            self.returncode = self.code
        return self.returncode

    def send_signal(self, signum):
        self.signals.append(signum)
        self.returncode = -signum

    def wait(self, timeout=None):
        return self.returncode

    def kill(self):
        self.send_signal(signal.SIGKILL)


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.stop_when = lambda: False

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if self.stop_when():
            raise KeyboardInterrupt
        self.now += seconds


def fake_stack(clock: FakeClock, behaviours):
    """A Stack of three children; ``behaviours[name]``: for each start of that child, how long it
    runs before it exits (None: until stopped). Returns the stack and every process started."""
    from bot.cli.run import Stack
    from bot.runtime.settings import Settings

    started = {name: [] for name in ("Embedded Redis", "Action server", "Officer console")}

    def popen(command, **_options):
        name = command[0]
        runs = behaviours.get(name, [])
        lifetime = runs[len(started[name])] if len(started[name]) < len(runs) else runs[-1] if runs else None
        process = FakeProcess(clock, clock.now + lifetime if lifetime is not None else float("inf"))
        started[name].append(process)
        return process

    stack = Stack(Settings(), popen=popen, clock=clock)
    for name in started:
        stack.spawn(name, [name], {})
    return stack, started


def test_a_child_that_crashes_once_is_started_again_and_the_others_are_not_touched(capsys):
    from bot.cli.run import watch

    clock = FakeClock()
    stack, started = fake_stack(clock, {"Officer console": [3, None]})
    clock.stop_when = lambda: len(started["Officer console"]) == 2
    with pytest.raises(KeyboardInterrupt):
        watch(stack, sleep=clock.sleep)
    crashed, again = started["Officer console"]
    assert crashed.returncode == 1 and again.poll() is None
    assert clock.now == 4.0  # it exited at 3 s, waited its 1 s, then started again
    for name in ("Embedded Redis", "Action server"):
        assert len(started[name]) == 1 and started[name][0].poll() is None and not started[name][0].signals
    output = capsys.readouterr().out
    assert "Officer console exited with code 1 (its output above says why); starting it again in 1 s." in output
    assert f"Officer console started again (pid {again.pid})." in output


def test_a_crash_loop_stops_the_helpline_and_says_which_child_and_why(capsys):
    from bot.cli.run import watch

    clock = FakeClock()
    stack, started = fake_stack(clock, {"Action server": [0]})
    assert watch(stack, sleep=clock.sleep) == 1
    output = capsys.readouterr().out
    waits = [int(line.split(" in ")[1].split(" s")[0]) for line in output.splitlines() if "starting it again" in line]
    assert waits == [1, 2, 4, 8]  # backing off, then the fifth exit within a minute
    assert output.rstrip().endswith(
        "Action server exited with code 1: 5 exits within 60 s, a crash loop (its output above says why). "
        "Stopping the helpline."
    )
    assert len(started["Action server"]) == 5
    others = [started["Embedded Redis"][0], started["Officer console"][0]]
    assert all(process.poll() is None for process in others)
    stack.stop()  # what run() does next
    assert all(process.signals == [signal.SIGTERM] for process in others)


def test_the_backoff_grows_to_30_s_and_a_child_that_ran_a_while_starts_afresh(capsys):
    from bot.cli.run import RestartPolicy, watch

    clock = FakeClock()
    # Exits 12 s after each start: never 5 exits within 60 s once the backoff has grown.
    stack, started = fake_stack(clock, {"Embedded Redis": [12] * 9 + [90, 12, None]})
    clock.stop_when = lambda: len(started["Embedded Redis"]) == 12
    with pytest.raises(KeyboardInterrupt):
        watch(stack, RestartPolicy(loop_exits=5, loop_seconds=60), sleep=clock.sleep)
    output = capsys.readouterr().out
    waits = [int(line.split(" in ")[1].split(" s")[0]) for line in output.splitlines() if "starting it again" in line]
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30, 30, 1, 2]  # after running 90 s, back to 1 s
    assert "crash loop" not in output


def test_how_a_child_ended_is_said_plainly():
    from bot.cli.run import describe_exit

    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-signal.SIGKILL) == "was killed by SIGKILL"
