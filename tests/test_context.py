"""The context of a danger cue (ConText): negated, past, hypothetical, figurative, or none, in
messages as workers write them: with and without marks, in teen-code and in English."""
import pytest

from bot.understanding.context import Context, contexts

NEGATED, PAST, HYPOTHETICAL, FIGURATIVE = Context.negated, Context.past, Context.hypothetical, Context.figurative


def context_of(text: str, cue: str) -> set:
    start = text.index(cue)
    return set(contexts(text, start, start + len(cue)))


@pytest.mark.parametrize(
    "text, cue",
    [
        ("em không bị đánh", "bị đánh"),
        ("e ko bi danh", "bi danh"),
        ("e hok bi danh dau", "bi danh"),
        ("e hem bi nhot", "bi nhot"),
        ("chủ hổng có đánh em", "đánh em"),
        ("chủ ko có đánh e", "đánh e"),
        ("chu e k bao h danh e", "danh e"),
        ("chủ em chẳng bao giờ đánh em", "đánh em"),
        ("chủ em chả đánh em bao giờ", "đánh em"),
        ("em chưa bị đánh", "bị đánh"),
        ("em có bị đánh đâu", "bị đánh"),
        ("em đâu có bị nhốt", "bị nhốt"),
        ("kkk ai đánh em đâu", "đánh em"),
        ("ai mà nhốt em", "nhốt em"),
        ("em không muốn chết", "muốn chết"),
        ("he didn't hit me", "hit me"),
        ("he never hit me", "hit me"),
        ("nobody hit me", "hit me"),
        ("boss no hit me", "hit me"),
        ("I was not locked in", "locked in"),
        ("he no longer beats me", "beats me"),
    ],
)
def test_a_denied_cue_is_negated(text, cue):
    assert NEGATED in context_of(text, cue)


@pytest.mark.parametrize(
    "text, cue",
    [
        # the negation is the danger, not a denial of it
        ("chủ không cho em ăn", "cho em ăn"),
        ("chủ không những chửi mà còn đánh em", "đánh em"),
        ("chủ đánh em chưa bao giờ ngừng", "đánh em"),
        ("em không muốn bị đánh nữa", "bị đánh"),
        ("không ai cứu em", "cứu em"),
        ("hông ai cứu em hết", "cứu em"),
        ("nếu không cứu em thì nó giết em mất", "cứu em"),
        ("bà chủ không cho ăn còn đánh em", "đánh em"),
        ("chủ không trả lương còn đánh em", "đánh em"),
        ("ko dc ve, bi danh hoai", "bi danh"),
        ("boss dont give me food beat me everyday", "beat me"),
        ("he doesn't pay me and hits me", "hits me"),
        ("he never stops hitting me", "hitting me"),
        ("no food no water, he beats us", "beats us"),
        # a question, not a denial; a new subject starts a new clause
        ("chị ơi có ai ở đó không cứu em với", "cứu em"),
        ("chi oi co ai ko e bi danh", "bi danh"),
        ("em ko dám nói vì sợ bị đánh", "bị đánh"),
        ("chu danh e hoai e ko biet lam sao", "danh e"),
        ("I dont know what to do my boss hit me", "hit me"),
        # "nó" (he) folds to "no"; "đau" (it hurts) is not "đâu"
        ("nó đánh em", "đánh em"),
        ("no danh e", "danh e"),
        ("em bị đánh đau lắm", "bị đánh"),
        ("e bi danh dau lam", "bi danh"),
    ],
)
def test_negation_words_that_are_not_a_denial_leave_the_cue_alone(text, cue):
    assert context_of(text, cue) == set()


@pytest.mark.parametrize(
    "text, cue",
    [
        ("hồi năm ngoái chủ cũ có tát em, giờ em đổi chủ rồi, chủ mới tốt lắm. Em hỏi về bảo hiểm", "tát em"),
        ("hoi nam ngoai chu cu co tat em, gio em doi chu roi, chu moi tot lam. Em hoi ve bao hiem", "tat em"),
        ("trước đây em bị đánh", "bị đánh"),
        ("trc day e bi nhot", "bi nhot"),
        ("em bị đánh năm ngoái", "bị đánh"),
        ("em từng bị đánh", "bị đánh"),
        ("hồi còn ở chỗ cũ em bị đánh nhiều", "bị đánh"),
        ("mấy năm trước em bị lừa sang Trung Quốc", "bị lừa"),
        ("năm ngoái em làm ở Đài Trung, chủ cũ đánh em. Giờ em ổn rồi", "đánh em"),
        ("em bị đánh rồi giờ em ổn rồi", "bị đánh"),
        ("em bị đánh, nhưng đó là chuyện cũ rồi", "bị đánh"),
        ("hồi đó chủ đánh em, bây giờ hết rồi", "đánh em"),
        ("my old boss used to beat me", "beat me"),
        ("last year my boss hit me, now I'm fine", "hit me"),
        ("I used to be locked in the house, it's over now", "locked in"),
        ("years ago I was sold to a broker", "I was sold"),
        ("at my old job they locked me in", "locked me in"),
        ("ở công ty cũ em bị đánh suốt", "bị đánh"),
        ("hồi trước chủ cũ đánh em, em vẫn còn sợ", "đánh em"),
        ("hồi trước chủ cũ đánh em. Em đang hỏi về bảo hiểm", "đánh em"),
    ],
)
def test_a_past_or_resolved_cue_is_past(text, cue):
    assert PAST in context_of(text, cue)


@pytest.mark.parametrize(
    "text, cue",
    [
        # current danger after a past one
        ("năm ngoái bị đánh, giờ vẫn bị", "bị đánh"),
        ("nam ngoai bi danh, gio van bi", "bi danh"),
        ("năm ngoái chủ đánh em, năm nay vẫn vậy", "đánh em"),
        ("hồi trước chủ đánh em, giờ chủ vẫn đánh", "đánh em"),
        ("chủ cũ đánh em, chủ mới cũng đánh", "đánh em"),
        ("chủ cũ đang giữ hộ chiếu của em", "giữ hộ chiếu"),
        # a former employer is who, not when: he may hold her passport or threaten her now
        ("chủ cũ dọa giết em", "dọa giết"),
        ("công ty cũ không trả hộ chiếu cho em", "không trả hộ chiếu"),
        ("my previous employer took my passport", "took my passport"),
        ("he hit me last year and he still hits me", "hit me"),
        ("last year he hit me. he still does", "hit me"),
        # "giờ", "bây giờ", "now" end the past scope
        ("hồi trước em làm nhà máy, bây giờ làm giúp việc, chủ đánh em", "đánh em"),
        ("my boss used to hit me but now he locks me in", "locks me in"),
        # "đã … rồi" alone is not the past: it is what just happened
        ("em đã bị đánh rồi, giờ em phải làm sao", "bị đánh"),
        ("em bị đánh rồi", "bị đánh"),
        # recent is not past
        ("hôm qua chủ đánh em", "đánh em"),
        ("tháng trước chủ đánh em", "đánh em"),
        ("em vừa bị đánh", "bị đánh"),
        # "từng ngày" is every day, not "ever"
        ("từng ngày bị đánh", "bị đánh"),
    ],
)
def test_current_danger_is_not_past(text, cue):
    assert PAST not in context_of(text, cue)


@pytest.mark.parametrize(
    "text, cue",
    [
        ("nếu chủ đánh em thì em gọi số nào", "đánh em"),
        ("neu chu danh e thi lam sao", "danh e"),
        ("nếu mà chủ không trả lương thì sao", "không trả lương"),
        ("lỡ chủ giữ hộ chiếu thì sao", "giữ hộ chiếu"),
        ("lo chu giu ho chieu thi sao", "giu ho chieu"),
        ("nhỡ bị giữ hộ chiếu thì làm sao", "giữ hộ chiếu"),
        ("giả sử chủ nhốt em thì em làm gì", "nhốt em"),
        ("gia su bi nhot thi sao", "bi nhot"),
        ("trong trường hợp chủ giữ hộ chiếu thì sao ạ", "giữ hộ chiếu"),
        ("bị đánh thì gọi số nào", "bị đánh"),
        ("neu bi danh thi goi ai", "bi danh"),
        ("chủ giữ hộ chiếu có được không", "giữ hộ chiếu"),
        ("chủ giữ hộ chiếu được không ạ", "giữ hộ chiếu"),
        ("chu giu ho chieu co dc ko", "giu ho chieu"),
        ("chủ có được giữ hộ chiếu không", "giữ hộ chiếu"),
        ("đi Đài Loan có bị đánh không chị", "bị đánh"),
        ("chủ giữ hộ chiếu của lao động có vi phạm luật không", "giữ hộ chiếu"),
        ("what should I do if my boss hits me", "hits me"),
        ("what happens if my employer keeps my passport", "keeps my passport"),
        ("is it legal for the boss to keep my passport", "keep my passport"),
        ("can my boss keep my passport?", "keep my passport"),
        ("in case someone beats me who do I call", "beats me"),
    ],
)
def test_a_conditional_or_a_question_about_rules_is_hypothetical(text, cue):
    assert HYPOTHETICAL in context_of(text, cue)


@pytest.mark.parametrize(
    "text, cue",
    [
        # the condition ends at "thì", "then", a comma: what follows is what she fears will happen
        ("nếu em bỏ trốn thì chủ sẽ giết em", "giết em"),
        ("if I tell anyone he will kill me", "kill me"),
        ("nếu em bỏ trốn chủ sẽ đánh em", "đánh em"),
        ("if I complain, my boss beats me", "beats me"),
        # "if possible", "nếu được", "nếu không" (otherwise) are not conditions on the danger
        ("nếu được chị giúp em, chủ đánh em quá", "đánh em"),
        ("if you can please help, my boss locks me in", "locks me in"),
        # a question after a full stop or a comma asks about what happened
        ("he hits me. is it legal?", "hits me"),
        ("my boss keeps my passport, is that legal?", "keeps my passport"),
        ("chủ đánh em, em phải gọi số nào", "đánh em"),
        # asking for help is not asking about rules
        ("chị có thể cứu em được không", "cứu em"),
        ("chủ đánh em chị giúp em được không", "đánh em"),
    ],
)
def test_danger_outside_a_condition_is_not_hypothetical(text, cue):
    assert HYPOTHETICAL not in context_of(text, cue)


@pytest.mark.parametrize(
    "text, cue",
    [
        ("bài 'cứu em đi anh ơi' nghe mà nổi da gà", "cứu em"),
        ("bai 'cuu em di anh oi' nghe ma noi da ga", "cuu em"),
        ('bài hát "Em muốn chết" buồn quá', "muốn chết"),
        ('lời bài hát có câu "cứu em"', "cứu em"),
        ("xem phim Hàn thấy nữ chính bị đánh tội ghê", "bị đánh"),
        ("đọc truyện thấy nhân vật bị bán sang Trung Quốc", "bị bán"),
        ('the song "save me" makes me cry', "save me"),
        ("em mệt muốn chết", "muốn chết"),
        ("em met muon chet", "muon chet"),
        ("khóc muốn chết luôn", "muốn chết"),
        ("mệt muốn ngất xỉu", "ngất xỉu"),
        ("chết đói mất thôi", "chết đói"),
        ("cười chết mất", "chết"),
        ("nóng chết đi được", "chết"),
        ("this heat is killing me", "killing me"),
        ("I'm so embarrassed I want to die", "want to die"),
        ("lol i wanna die, exam tomorrow", "wanna die"),
        ("I want to kill myself lol", "kill myself"),
        ("nói đùa thôi, nó đánh em làm gì", "đánh em"),
        ("haha cứu em với", "cứu em"),
    ],
)
def test_idioms_media_and_jokes_are_figurative(text, cue):
    assert FIGURATIVE in context_of(text, cue)


@pytest.mark.parametrize(
    "text, cue",
    [
        ("em bị nhốt như trong phim", "bị nhốt"),
        ("em không đùa đâu, chủ đánh em", "đánh em"),
        ("I'm not joking, he beats me", "beats me"),
        ("nói đùa thôi chứ chủ đánh em thật", "đánh em"),
        ("chủ đánh em khi em đang xem phim", "đánh em"),
        ("em đang xem phim thì chủ vào đánh em", "đánh em"),
        ("boss hit me when I was watching a movie", "hit me"),
        ("chủ nhốt em, em xem phim trên điện thoại cho đỡ sợ", "nhốt em"),
        ("cứu em với huhu", "cứu em"),
        ("em chán đời muốn chết", "muốn chết"),
        ("em mệt muốn chết, em muốn tự tử", "muốn tự tử"),
        ("đói chết mất, chủ không cho em ăn", "không cho em ăn"),
        ("they are starving us", "starving"),
    ],
)
def test_real_danger_near_media_words_or_idioms_is_not_figurative(text, cue):
    assert FIGURATIVE not in context_of(text, cue)


@pytest.mark.parametrize(
    "text, cue",
    [
        # a negation governs the next words only: here it is about the work, not the beating
        ("em không làm kịp việc bị đánh", "bị đánh"),
        ("I did not finish work got beaten", "beaten"),
        # folded alike, meant otherwise: "cha" (father) not "chả", "lo" (worry) not "lỡ",
        # "hỏng" (broken) not "hông", "nằm ngoài" (lie outside) not "năm ngoái"
        ("cha đánh em", "đánh em"),
        ("em lo bị đánh lắm", "bị đánh"),
        ("em làm hỏng đồ bị đánh", "bị đánh"),
        ("em phải nằm ngoài sân, chủ đánh em", "đánh em"),
    ],
)
def test_words_out_of_reach_or_spelled_otherwise_are_not_triggers(text, cue):
    assert context_of(text, cue) == set()


def test_contexts_add_up():
    assert context_of("e chua tung bi danh", "bi danh") == {NEGATED, PAST}
    assert context_of("kkk em đùa đó, ai đánh em đâu", "đánh em") == {NEGATED, FIGURATIVE}


@pytest.mark.parametrize(
    "text, cue",
    [
        ("em tư vấn giúp, hồi trước chủ đánh em", "đánh em"),  # "tư vấn" is not "vẫn"
        ("bạn em đang bị nhốt", "bị nhốt"),  # who it happens to lowers nothing
        ("bạn em bị đánh, giờ phải làm sao", "bị đánh"),
        ("my friend is locked in the house right now", "locked in"),
    ],
)
def test_words_that_fold_alike_or_name_someone_else_change_nothing(text, cue):
    expected = {PAST} if "hồi trước" in text else set()
    assert context_of(text, cue) == expected


def test_a_context_is_named_by_its_value():
    assert [str(c) for c in Context] == ["negated", "past", "hypothetical", "figurative"]
    assert Context.past == "past"


@pytest.mark.parametrize("text, cue", [
    ("cò khoá cửa lại, nói bao giờ có chủ mới mới cho đi", "khoá cửa lại"),
    ("chu khoa cua, bao gio co viec moi moi cho ve", "khoa cua"),
])
def test_bao_gio_is_when_not_now(text, cue):
    assert context_of(text, cue) == set()
