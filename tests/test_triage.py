"""Severity: the classifier's weight summed per severity, raised (never lowered) by the net."""
import numpy as np

from bot.understanding.intents import DANGER_INTENTS, INTENTS, Severity
from bot.understanding.severity_model import (
    CRITICAL_RECALL_TARGET,
    PAGE_FALSE_ALARM_BUDGET,
    SeverityEstimate,
    Thresholds,
    choose_thresholds,
)
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


VIOLENCE_READING = ranking(("emergency_violence", 0.7), ("abuse_threats", 0.2), ("info_insurance", 0.1))


def test_a_past_danger_pages_no_one_but_is_kept_with_its_context():
    text = "hồi năm ngoái chủ cũ có tát em, giờ em đổi chủ rồi, chủ mới tốt lắm. Em hỏi về bảo hiểm"
    result = assess(text, "emergency_violence", 0.7, VIOLENCE_READING)
    assert result.severity is Severity.high and result.uncertain and result.raised_by == "context"
    [held] = result.reasons()["held_cues"]
    assert held["rule"] == "violence" and held["contexts"] == ["past"] and held["severity"] == "critical"


def test_danger_now_beside_a_past_one_is_still_critical():
    text = "năm ngoái bị đánh, giờ vẫn bị đánh hoài"
    result = assess(text, "emergency_violence", 0.7, VIOLENCE_READING)
    assert result.severity is Severity.critical and result.reasons()["decided_by"] == "classifier"


def test_danger_told_without_danger_words_is_not_lowered_by_context():
    text = "tối nào nó cũng đợi vợ ngủ rồi mò vào phòng em, em không dám ngủ"
    result = assess(text, "emergency_sexual_assault", 0.8, ranking(("emergency_sexual_assault", 0.8), ("greet", 0.2)))
    assert result.severity is Severity.critical


def test_a_negated_cue_raises_nothing_and_is_named_in_the_reasons():
    result = assess("chủ không đánh em, chỉ hay la thôi", "abuse_threats", 0.8, ranking(("abuse_threats", 0.8), ("greet", 0.2)))
    assert result.severity is Severity.high
    assert [cue["contexts"] for cue in result.reasons()["held_cues"]] == [["negated"]]


# --- the calibrated decision -----------------------------------------------------------------

def estimate(none, high, critical, top=0.6, page=0.5, ask=0.2, danger=0.6, familiar=0.15):
    return SeverityEstimate(none, high, critical, top, Thresholds(page, ask, danger, familiar))


def test_the_calibrated_model_pages_only_above_its_page_line():
    ranked = ranking(("emergency_violence", 0.6), ("greet", 0.4))
    assert assess("...", "emergency_violence", 0.6, ranked, estimate(0.2, 0.1, 0.7)).severity == Severity.critical
    asked = assess("...", "emergency_violence", 0.6, ranked, estimate(0.5, 0.2, 0.3))
    assert asked.severity == Severity.high and asked.uncertain  # between ask and page: one question
    assert assess("...", "greet", 0.6, ranked, estimate(0.9, 0.05, 0.05)).severity == Severity.none


def test_a_message_unlike_anything_trained_is_not_danger_on_the_models_word_alone():
    spread = ranking(("emergency_medical", 0.09), ("emergency_violence", 0.08), ("greet", 0.07))
    result = assess("em ở Nga", "emergency_medical", 0.09, spread, estimate(0.1, 0.1, 0.8, top=0.09))
    assert result.severity == Severity.none and result.raised_by == "unfamiliar"
    # ... but the safety net still hears a cry for help
    assert assess("cứu em với", "emergency_medical", 0.09, spread, estimate(0.1, 0.1, 0.8, top=0.09)).severity == Severity.critical


def test_cross_validated_thresholds_keep_the_false_page_budget():
    rng = np.random.default_rng(0)
    levels = np.array([0] * 300 + [1] * 300 + [2] * 300)
    critical = np.concatenate([rng.beta(1, 6, 300), rng.beta(2, 4, 300), rng.beta(6, 1, 300)])
    high = (1 - critical) * 0.5
    calibrated = np.stack([1 - critical - high, high, critical], axis=1)
    top = np.concatenate([rng.uniform(0.3, 0.9, 900)])
    lines = choose_thresholds(calibrated, levels, top)
    assert (calibrated[levels == 0, 2] >= lines.page).mean() <= PAGE_FALSE_ALARM_BUDGET
    assert (calibrated[levels == 2, 2] >= lines.ask).mean() >= CRITICAL_RECALL_TARGET
    assert lines.ask <= lines.page
