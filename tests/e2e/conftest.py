"""What the end-to-end tests share: the trained model, and stacks from tests/support/stack.py."""
from typing import Dict, List, Optional

import pytest

from bot.cli.run import MODEL
from tests.support.stack import Stack

E2E_VARIABLES = {
    # Signatures are checked against the address the providers call, as behind a proxy.
    "HELPLINE_PUBLIC_URL": "https://helpline.example.org",
    # A restarted Rasa takes back its own unfinished messages at once; another's after 5 s.
    "HELPLINE_WORKER_NAME": "e2e",
    "CLAIM_IDLE_SECONDS": "5",
}


@pytest.fixture(scope="session", autouse=True)
def trained_model():
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does)")


@pytest.fixture(scope="module")
def start_stack(tmp_path_factory):
    """start(variables, console): a running Stack with every channel at fake providers, the
    variables over the e2e ones; stopped after the module."""
    started: List[Stack] = []

    def start(variables: Optional[Dict[str, str]] = None, console: bool = False) -> Stack:
        stack = Stack(tmp_path_factory.mktemp("stack"), {**E2E_VARIABLES, **(variables or {})}, console=console)
        started.append(stack.start())
        return stack

    yield start
    for stack in started:
        stack.stop()
