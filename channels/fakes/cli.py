"""`python -m bot fake-providers`: the fake Twilio, Telegram and Zalo APIs in the foreground,
for a staging helpline or `make demo`, until Ctrl-C or SIGTERM."""
from __future__ import annotations

import logging
import os
import signal
import sys
import time
from typing import Any, List, Mapping, Optional

from channels.fakes.config import FakeConfig
from channels.fakes.facade import FakeProviders


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _instructions(fake: FakeProviders, config: FakeConfig, environ: Mapping[str, str]) -> str:
    """What to export so a helpline talks to this fake and authenticates against it."""
    lines = [
        f"Fake Twilio, Telegram and Zalo APIs on {fake.url} (control API: {fake.url}/_fake/sent)",
        "Point the helpline at it:",
        *(f"export {name}={value}" for name, value in fake.env().items()),
        "Credentials it accepts:",
    ]
    for name, variable in FakeConfig.ENV_NAMES.items():
        if environ.get(variable, "").strip():
            lines.append(f"# {variable}: taken from your environment")
        else:
            lines.append(f"export {variable}={getattr(config, name)}")
    lines.append("Ctrl-C to stop.")
    return "\n".join(lines)


def serve(host: str = "127.0.0.1", port: int = 8099, environ: Optional[Mapping[str, str]] = None) -> int:
    """Run the fake until interrupted; the exit status."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    environ = os.environ if environ is None else environ
    config = FakeConfig.from_env(environ)
    if not _is_loopback(host):
        print(f"Warning: binding to {host}; the control API has no authentication.", file=sys.stderr)
    fake = FakeProviders(config, port=port, host=host)
    signalled: List[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        signalled.append(signum)  # no lock taken here: the main thread may hold one

    # Handlers first: a Ctrl-C or SIGTERM that comes right after the URL is printed still stops
    # the fake cleanly instead of interrupting the main thread wherever it is.
    previous = {number: signal.signal(number, on_signal) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            fake.start_in_thread()
        except OSError as error:
            print(f"Cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
            return 1
        try:
            print(_instructions(fake, config, environ), flush=True)
            while not signalled:
                time.sleep(0.2)
        finally:
            fake.stop()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    print("Fake providers stopped.", flush=True)
    return 0

