"""The deterministic safety net: danger phrases as workers write them, the folded-text
collisions it must not fall for, and cues in a context (denied, past, hypothetical, figurative)
that it keeps but does not let raise severity on their own."""
import pytest

from bot.understanding.context import Context
from bot.understanding.safety import scan, scan_all


@pytest.mark.parametrize(
    "text, rule",
    [
        ("chủ đánh em", "violence"), ("e bi danh", "violence"), ("my boss hit me", "violence"), ("I was beaten", "violence"),
        ("ông chủ hiếp dâm em", "sexual_assault"), ("he raped me", "sexual_assault"),
        ("bị nhốt trong phòng", "confinement"), ("chu ko cho e ra ngoai", "confinement"), ("they locked me in", "confinement"),
        ("em bị bán sang Trung Quốc", "trafficking"), ("i was sold to another boss", "trafficking"),
        ("họ ép em bán dâm", "forced_sex_work"), ("forced me to sell sex", "forced_sex_work"),
        ("em muốn tự tử", "suicidal"), ("e ko muon song nua", "suicidal"), ("I want to die", "suicidal"),
        ("nó dọa giết cả nhà em", "death_threat"), ("he will kill me", "death_threat"),
        ("em chảy máu nhiều lắm", "medical"), ("ban em bi ngat xiu", "medical"), ("I can't breathe", "medical"),
        ("cứu em với", "cry_for_help"), ("cuu", "cry_for_help"), ("please help me", "cry_for_help"),
    ],
)
def test_critical_phrases(text, rule):
    hit = scan(text)
    assert hit is not None and hit.rule == rule and hit.severity.name == "critical"


@pytest.mark.parametrize(
    "text, rule",
    [
        ("chủ giữ hộ chiếu của em", "passport"), ("cty giu passport", "passport"), ("boss keeps my passport", "passport"),
        ("3 tháng không được trả lương", "wages"), ("e chua dc nhan luong", "wages"), ("they didn't pay me", "wages"),
        ("ko dc nghi ngay nao", "hours"), ("no day off", "hours"),
        ("ông chủ hay sàm sỡ em", "harassment"), ("he touches me", "harassment"),
        ("chủ dọa đuổi về nước", "threats"), ("they threaten to deport me", "threats"),
        ("môi giới đòi đóng thêm tiền", "debt"), ("bị lừa rồi", "deception"),
        ("chủ thu điện thoại", "isolation"), ("he took my phone", "isolation"),
        ("không cho đi khám", "denied_medical"), ("ko cho e an com", "living"), ("no food", "living"),
        ("tai nạn lao động", "unsafe_work"),
    ],
)
def test_high_phrases(text, rule):
    hit = scan(text)
    assert hit is not None and hit.rule == rule and hit.severity.name == "high"


@pytest.mark.parametrize(
    "text",
    [
        "từ từ thôi em", "em mệt muốn chết", "em không nghĩ vậy", "quần áo bị bẩn", "bị giảm lương không",
        "em đánh răng rồi", "đánh dấu vào ô này", "can you help me with the fee question", "em không bị đánh",
        "xin chào", "phí dịch vụ đi Đài bao nhiêu", "hello", "cảm ơn",
    ],
)
def test_harmless_texts_that_fold_like_danger_do_not_fire(text):
    assert scan(text) is None


def test_the_most_severe_rule_wins():
    hit = scan("chủ giữ hộ chiếu và nhốt em trong phòng")
    assert hit.rule == "confinement"


@pytest.mark.parametrize(
    "text, rule",
    [
        ("ông ta làm chuyện đó với em rồi", "sexual_assault"), ("chủ bắt em ngủ chung giường", "sexual_assault"),
        ("bà chủ khóa cổng suốt, em không đi đâu được", "confinement"), ("thuyền trưởng không cho lên bờ", "confinement"),
        ("madam locked the gate and I cannot go out", "confinement"), ("we are not allowed ashore", "confinement"),
        ("họ ép em làm lừa đảo qua mạng", "trafficking"), ("bọn nó đòi nhà em tiền chuộc", "trafficking"),
        ("boss say I must go to hotel with men", "forced_sex_work"),
        ("em viết thư tuyệt mệnh rồi", "suicidal"), ("this is my last message", "suicidal"),
        ("nó dọa ném em xuống biển", "death_threat"), ("he said nobody will find my body", "death_threat"),
        ("em ngất 2 lần trong bếp", "medical"), ("em nôn ra máu", "medical"),
    ],
)
def test_indirect_critical_phrases(text, rule):
    hit = scan(text)
    assert hit is not None and hit.rule == rule


@pytest.mark.parametrize("text", ["em khóa cổng rồi đi ngủ", "I locked the door before leaving", "phục vụ khách ở nhà hàng", "I serve customers in a restaurant"])
def test_ordinary_locks_and_customers_are_not_danger(text):
    assert scan(text) is None


@pytest.mark.parametrize(
    "text, rule, context",
    [
        ("hồi năm ngoái chủ cũ có tát em, giờ em đổi chủ rồi, chủ mới tốt lắm. Em hỏi về bảo hiểm", "violence", Context.past),
        ("bài 'cứu em đi anh ơi' nghe mà nổi da gà", "cry_for_help", Context.figurative),
        ("em không bị đánh", "violence", Context.negated),
        ("he didn't lock me in", "confinement", Context.negated),
        ("at my old job they locked me in", "confinement", Context.past),
        ("nếu bị đánh thì gọi số nào", "violence", Context.hypothetical),
        ("is it legal for the boss to keep my passport", "passport", Context.hypothetical),
        ("em mệt muốn chết", "suicidal", Context.figurative),
        ("I want to kill myself lol", "suicidal", Context.figurative),
    ],
)
def test_a_cue_in_context_does_not_raise_but_is_kept_with_its_context(text, rule, context):
    assert scan(text) is None
    hits = scan_all(text)
    assert [(hit.rule, context in hit.contexts, hit.stands) for hit in hits] == [(rule, True, False)]


@pytest.mark.parametrize(
    "text, rule",
    [
        ("năm ngoái bị đánh, giờ vẫn bị", "violence"),
        ("he used to hit me and he still does", "violence"),
        ("chủ không cho em ăn", "living"),
        ("không ai cứu em", "cry_for_help"),
        ("chủ không những chửi mà còn đánh em", "violence"),
        ("nếu em bỏ trốn thì chủ sẽ giết em", "death_threat"),
        ("my boss keeps my passport, is that legal?", "passport"),
        ("nó đánh em", "violence"),
        ("em bị nhốt như trong phim", "confinement"),
    ],
)
def test_danger_now_stands_next_to_words_that_look_like_context(text, rule):
    hit = scan(text)
    assert hit is not None and hit.rule == rule and hit.stands


def test_a_rule_stands_when_any_of_its_cues_does():
    hit = scan("năm ngoái bị đánh, giờ lại bị đánh")
    assert hit is not None and hit.rule == "violence" and hit.contexts == frozenset()


def test_a_figurative_idiom_no_longer_hides_a_real_cue_elsewhere_in_the_message():
    # the idiom used to veto the whole suicidal rule; now it is only the context of its own cue
    hit = scan("em mệt muốn chết, em muốn tự tử")
    assert hit is not None and hit.rule == "suicidal" and hit.phrase == "muon tu tu"


def test_a_held_cue_does_not_hide_a_less_severe_one_that_stands():
    hits = scan_all("hồi trước chủ cũ đánh em, giờ chủ giữ hộ chiếu của em")
    assert [(hit.rule, hit.stands) for hit in hits] == [("violence", False), ("passport", True)]
    assert scan("hồi trước chủ cũ đánh em, giờ chủ giữ hộ chiếu của em").rule == "passport"


def test_scan_all_lists_every_rule_once_most_severe_first_in_rule_order():
    hits = scan_all("chủ giữ hộ chiếu và nhốt em trong phòng, nó không đánh em")
    assert [(hit.rule, hit.stands) for hit in hits] == [("violence", False), ("confinement", True), ("passport", True)]
    assert scan("chủ giữ hộ chiếu và nhốt em trong phòng, nó không đánh em").rule == "confinement"


def test_a_harmless_text_has_no_hit_at_all():
    assert scan_all("xin chào, phí dịch vụ đi Đài bao nhiêu") == []
