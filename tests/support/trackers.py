"""Custom actions run offline, given what the action server would be given.

The tracker is Rasa's own (the domain's slots with their initial values, then the events),
serialised as Rasa sends it to the action server and read back by rasa_sdk, so a test sees the
same slots, latest message and events an action sees in production. Her latest message carries
what this project's NLU pipeline adds to the intent and entities: the TriageAnnotator's severity
and triage.
"""
from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.runtime.paths import PROJECT_ROOT
from bot.understanding.severity import Severity
from bot.understanding.triage import Assessment

CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def domain() -> Domain:
    with warnings.catch_warnings():
        # Rasa 3.6 says so on every load of a domain with slots; there is nothing to act on.
        warnings.filterwarnings("ignore", message="Slot auto-fill has been removed", category=UserWarning)
        return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def triage_data(intent: str, severity: str, uncertain: bool) -> Dict[str, Any]:
    """The parse data the TriageAnnotator writes for a message it read as `intent`."""
    details = Assessment(Severity[severity], intent, CONFIDENCE, uncertain=uncertain).as_dict()
    details["classifier_intent"] = intent
    return {"severity": details["severity"], "triage": details}


def tracker(
    intent: str,
    slots: Optional[Mapping[str, Any]] = None,
    *,
    text: str = "...",
    severity: str = "none",
    uncertain: bool = False,
    entities: Sequence[Mapping[str, Any]] = (),
    metadata: Optional[Mapping[str, Any]] = None,
    form: Optional[str] = None,
    events: Sequence[Mapping[str, Any]] = (),
    sender_id: str = "worker",
) -> Tracker:
    """A conversation in which `slots` were set (and the `form` activated), then she wrote `text`,
    read as `intent` (with `entities`, the triage's `severity`, and the channel's `metadata`).
    `events` (rasa_sdk event dicts) come after her message, as the slot candidates Rasa appends
    before it asks a form's validation action."""
    history: List[Event] = [SlotSet(name, value) for name, value in (slots or {}).items()]
    if form:
        history.append(ActiveLoop(form))
    history.append(ActionExecuted(ACTION_LISTEN_NAME))
    history.append(UserUttered(
        text,
        intent={"name": intent, "confidence": CONFIDENCE},
        entities=[dict(entity) for entity in entities],
        parse_data=triage_data(intent, severity, uncertain),
        metadata=dict(metadata) if metadata is not None else None,
    ))
    history.extend(Event.from_parameters(dict(event)) for event in events)
    rasa_tracker = DialogueStateTracker.from_events(sender_id, history, slots=domain().slots)
    return Tracker.from_dict(rasa_tracker.current_state(EventVerbosity.ALL))


async def run_action(action: Action, conversation: Tracker) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """What the action said (the dispatcher's messages) and the events it returned, given the
    domain as Rasa sends it."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, conversation, domain().as_dict())
    return dispatcher.messages, events
