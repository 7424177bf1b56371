"""Severity: the classifier's weight summed per severity, raised (never lowered) by the net."""
from bot.understanding.intents import DANGER_INTENTS, INTENTS, Severity
from bot.understanding.triage import assess


def ranking(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_a_confident_danger_intent_keeps_its_severity():
    result = assess("chu giu ho chieu", "abuse_passport_withheld", 0.9, ranking(("abuse_passport_withheld", 0.9), ("greet", 0.1)))
    assert result.severity is Severity.high and result.raised_by is None


def test_danger_spread_over_several_intents_adds_up():
    result = assess(
        "...", "info_contacts", 0.28,
        ranking(("info_contacts", 0.28), ("emergency_trafficking", 0.25), ("emergency_confinement", 0.22), ("abuse_deception", 0.25)),
    )
    assert result.severity is Severity.critical
    assert result.intent == "emergency_trafficking" and result.uncertain


def test_a_mostly_harmless_reading_is_not_made_critical():
    result = assess("...", "out_of_scope", 0.5, ranking(("out_of_scope", 0.5), ("emergency_medical", 0.3), ("greet", 0.2)))
    assert result.severity is Severity.none


def test_the_safety_net_raises_a_safe_reading():
    result = assess("cứu em với", "greet", 0.8, ranking(("greet", 0.8), ("emergency_violence", 0.1), ("thanks", 0.1)))
    assert result.severity is Severity.critical
    assert result.intent == "emergency_violence"
    assert result.raised_by == "safety_net:cry_for_help"


def test_the_safety_net_never_lowers():
    result = assess("chủ giữ hộ chiếu", "emergency_confinement", 0.9, ranking(("emergency_confinement", 0.9), ("abuse_passport_withheld", 0.1)))
    assert result.severity is Severity.critical and result.raised_by is None


def test_a_fallback_with_no_danger_stays_safe():
    result = assess("asdf qwer", "nlu_fallback", 0.7, ranking(("nlu_fallback", 0.7), ("greet", 0.2), ("thanks", 0.15), ("abuse_threats", 0.1)))
    assert result.severity is Severity.none


def test_a_fallback_with_a_danger_cue_is_never_left_unanswered():
    result = assess("he took my phone and my passport", "nlu_fallback", 0.7, ranking(("nlu_fallback", 0.7), ("greet", 0.1)))
    assert result.severity is Severity.high and result.intent == "abuse_passport_withheld"


def test_every_intent_has_a_severity_and_dangerous_ones_map_to_ilo_indicators():
    assert len(DANGER_INTENTS) == 20
    for name in DANGER_INTENTS:
        assert INTENTS[name].severity > Severity.none and INTENTS[name].need
    assert all(INTENTS[n].ilo for n in DANGER_INTENTS if n.startswith("abuse_"))
