"""Conversations as a worker would have them (tests/conversations/*.yml), end to end: over SMS
(a signed Twilio webhook in, what the fake Twilio was asked to send out), Telegram, Zalo and the
REST channel, with escalation on. Each asserts what she must get (a case or none, its severity,
country and contact preference, the numbers, her language, GSM-7), never exact wording.

A conversation with `known_gap` shows behaviour still being built: it is expected to fail, and
strictly, so it fails loudly once the gap closes and the line must be removed. How to add one:
tests/conversations/README.md.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import List, Tuple

import pytest

from bot.cases.db import make_engine
from bot.cases.officers import OfficerStore
from bot.cases.store import CaseStore
from tests.support.conversation import (
    ProviderTalker,
    Reply,
    Scenario,
    Talker,
    Turn,
    fill_in,
    load_scenarios,
    talker,
)
from tests.support.conversation_checks import (
    case_state,
    check_case,
    check_defaults,
    check_replies,
    repeated,
)
from tests.support.stack import ROOT, Stack

pytestmark = pytest.mark.e2e
SCENARIOS = load_scenarios(ROOT / "tests" / "conversations")
OFFICERS = {"TW": "tw-officer", "KR": "kr-officer", "KW": "kw-officer", "SA": "sa-officer", "JP": "jp-officer", "MY": "my-officer"}
DESK = "vn-desk"


def rota() -> str:
    lines = ["desk:", f"  id: {DESK}", "  name: Desk (TEST)", "  timezone: Asia/Ho_Chi_Minh",
             '  contacts: {telegram: "100000399"}', "officers:"]
    for index, (country, officer) in enumerate(OFFICERS.items()):
        lines += [f"  - id: {officer}", f"    name: {country} officer (TEST)", f"    countries: [{country}]",
                  "    timezone: Asia/Ho_Chi_Minh", '    hours: ["24/7"]',
                  f'    contacts: {{telegram: "1000003{index:02d}"}}', f"    backups: [{DESK}]"]
    return "\n".join(lines) + "\n"


@dataclass
class Helpline:
    stack: Stack
    cases: CaseStore
    token: str  # the desk's, for the console's API (the desk sees every country's cases)

    def officer_writes(self, conversation_id: str, text: str) -> int:
        """The desk replies to her open case from the console; the API's status."""
        case = self.cases.find_open_case(conversation_id)
        assert case is not None, "an officer can only write to an open case"
        request = urllib.request.Request(
            f"{self.stack.console_url}/api/cases/{case.id}/reply", method="POST", data=json.dumps({"text": text}).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture(scope="module")
def helpline(start_stack, tmp_path_factory):
    state = tmp_path_factory.mktemp("conversations")
    (state / "rota.yml").write_text(rota())
    database = f"sqlite:///{state / 'cases.sqlite3'}"
    CaseStore.connect(database)  # migrates
    officers = OfficerStore(make_engine(database))
    officers.add(DESK, "correct horse battery staple", role="desk", display_name="Desk")
    stack = start_stack({
        "ESCALATION_ENABLED": "true", "ROTA_FILE": str(state / "rota.yml"), "DATABASE_URL": database,
        "CONSOLE_SECRET_KEY": "e2e-console-secret-key-0123456789abcdef",
        # Her whole conversation is answered, however fast the runner types.
        "RATE_LIMIT_MESSAGES": "100",
    }, console=True)
    return Helpline(stack, CaseStore.connect(database), officers.new_token(DESK))


def cases_of(scenarios: List[Scenario]):
    for scenario in scenarios:
        for channel in scenario.channels:
            gap = scenario.known_gap.get(channel)
            marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
            yield pytest.param(scenario, channel, id=f"{scenario.id}[{channel}]", marks=marks)


def shown(replies: List[Reply]) -> List[str]:
    return [f"  to her< {r.text}" + (f" {[b.get('title') for b in r.buttons]}" if r.buttons else "") for r in replies]


def take_turn(helpline: Helpline, worker: Talker, turn: Turn, before: List[Reply]) -> List[Tuple[str, List[Reply]]]:
    """What she sent in this turn (one message, or a form's answers), each with its replies."""
    if turn.officer is not None:
        assert isinstance(worker, ProviderTalker)
        officer_text = turn.officer
        return [(turn.shown, worker.turn(lambda _: helpline.officer_writes(worker.conversation_id(), officer_text)))]
    if turn.fill:
        steps = fill_in(worker, turn.fill, before)
        assert steps, f"no question of the form matched {turn.shown}; last reply: {before[-1].text if before else None!r}"
        return steps
    if turn.press is not None:
        return [(turn.shown, worker.press(turn.press))]
    return [(turn.say or "", worker.send(turn.say or ""))]


@pytest.mark.parametrize("scenario, channel", list(cases_of(SCENARIOS)))
def test_conversation(helpline, scenario: Scenario, channel: str):
    worker = talker(helpline.stack, channel, f"{scenario.id}-{channel}")
    problems: List[str] = []
    lines = [f"{scenario.situation} ({scenario.source}, {channel})"]
    everything: List[Reply] = []
    state = None
    for number, turn in enumerate(scenario.turns, start=1):
        steps = take_turn(helpline, worker, turn, everything)
        state = case_state(helpline.cases, worker.conversation_id())
        expect = {**{k: v for k, v in scenario.expect.items() if k == "encoding"}, **turn.expect}
        replies: List[Reply] = []
        for text, answered in steps:
            lines += [f"  she> {text}"] + shown(answered)
            found = check_defaults(text, answered, expect, channel, state.active is not None)
            problems += [f"turn {number} ({text!r}): {problem}" for problem in found]
            replies += answered
        everything += replies
        number_of_case = state.active.number if state.active else (state.latest.number if state.latest else None)
        found = check_replies(expect, replies, channel, number_of_case) + check_case(turn.expect.get("case", {}), state)
        problems += [f"turn {number} ({turn.shown!r}): {problem}" for problem in found]
    assert state is not None
    lines.append(f"  cases: {state.describe()}")
    whole = {key: value for key, value in scenario.expect.items() if key != "case"}
    problems += [f"conversation: {problem}" for problem in check_replies(whole, everything, channel, None)]
    problems += [f"conversation: {problem}" for problem in check_case(scenario.expect.get("case", {}), state)]
    problems += [f"conversation: {problem}" for problem in repeated(everything)]
    print("\n".join(lines))  # shown with -rP, and on failure
    assert not problems, "\n".join(problems) + "\n\n" + "\n".join(lines)


def test_every_situation_is_a_conversation():
    """Issue #13's section 8 asks for at least 40 conversations over SMS and REST."""
    assert len(SCENARIOS) >= 40
    assert all({"sms", "rest"} & set(scenario.channels) for scenario in SCENARIOS)
