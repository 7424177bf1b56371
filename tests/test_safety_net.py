"""The deterministic safety net: danger phrases as workers write them, and the folded-text
collisions it must not fall for."""
import pytest

from bot.understanding.safety import scan


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
