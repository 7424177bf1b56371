"""The ConText tables for danger cues: triggers, pseudo-triggers and terminators, per context.

Patterns are regular expressions over folded text (bot.understanding.text.fold: no marks, lower
case), matched as whole words. Folding merges words, so a trigger that a marked spelling would
tell apart says which spelling it accepts (`marked`); `bare=False` means the unmarked spelling is
too ambiguous to count ("lo" is "lỡ" (if by chance) but also "lo" (to worry); "cha" is "chả" (not)
but also "cha" (father)).

A trigger looks forward, backward or both ways from itself for at most `window` words, and its
scope also ends where its `scope` ends (a clause ends at a comma, a sentence at . ! ? ;, a
condition at "thì"/"then" too, a message never) or at one of its context's terminators. A
`cover` trigger is an idiom or a question frame that must contain the cue. A pseudo-trigger looks
like a trigger but is not one ("không cho ăn" is the danger, not a denial of it): a trigger it
overlaps does not count.

`current` is danger now ("vẫn", "still", "again"): it ends every past scope it falls in and,
when it reaches a cue, takes the past context off it ("năm ngoái bị đánh, giờ vẫn bị").
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Dict, Optional, Tuple


class Context(str, Enum):
    negated = "negated"
    past = "past"
    hypothetical = "hypothetical"
    figurative = "figurative"

    def __str__(self) -> str:
        return self.value


CURRENT = "current"

FORWARD, BACKWARD, BOTH, COVER = "forward", "backward", "both", "cover"


@dataclass(frozen=True)
class Trigger:
    context: str
    pattern: str
    direction: str
    scope: str = "clause"
    window: int = 2
    marked: Optional[str] = None
    bare: bool = True


_NEG = r"(?:khong|ko|k|kg|kh|khg|hok|hk|hong|hem|khum|chua|chang|cha)"
_Q = r"(?:khong|ko|k|kg|hok|hong|hem|khum)"  # "không" closing a yes/no question
_W = r"[^\W_]+"  # one word; spaces only between them, so a frame never crosses punctuation
_END = r"(?= ?(?:a|ah|ak|vay|nhi|ha|nha|nhe|chi|anh|em|ad|ban|oi|a oi|chi oi|anh oi|ad oi)?(?: ?[.!?,;]|$))"
_VERBS = r"(?:danh|dap|tat|nhot|giam|doa|chui|khoa|giu|thu|lay|ep|bat|xam hai|so mo|quay roi|hanh ha|dam|chem)"
_NO_MARKS = r"(?!)"  # English: a marked spelling is a Vietnamese word that folds alike ("nó" is not "no")
_SUBJECT = r"(?:em|e|toi|tui|minh|mk|chi|ban|co|no|ban em|chi em|nguoi ta)"

SCOPE_ENDS: Dict[str, str] = {
    "clause": r"[.!?;…\n,]|(?<= )[-–—](?= )",
    "sentence": r"[.!?;…\n]",
    "condition": r"[.!?;…\n,]|(?<= )[-–—](?= )|\b(?:thi|se|then|will|would|gonna)\b",
    "message": r"(?!)",
}


def _current(pattern: str, marked: Optional[str] = None, ahead: Optional[str] = None) -> Tuple[Trigger, Trigger]:
    """Looking back over the whole message with `pattern`; forward over its clause with `ahead`, which may be looser."""
    return (
        Trigger(CURRENT, pattern, BACKWARD, "message", 40, marked),
        Trigger(CURRENT, ahead or pattern, FORWARD, "clause", 3, marked),
    )


TERMINATORS: Dict[str, str] = {
    Context.negated: (
        r"nhung|ma|but|however|va|and|roi|vi|because|nen|so|thi|then|chi co|only"
        r"|em|e|toi|tui|minh|mk|anh|chi|ban|no|ho|i|he|she|they|we|you"
    ),
    # and every `current` trigger (bot.understanding.context adds them)
    Context.past: (
        r"chu moi|cong ty moi|cho moi|new (?:boss|employer|job)|gio|bay gio|hien gio|hien tai|hien nay|dao nay|gan day|may hom nay"
        r"|hom nay|hom qua|toi qua|dem qua|sang nay|vua|vua moi|moi day|now|currently|recently|today|yesterday|last night|this morning"
        r"|these days|this week"
    ),
    Context.hypothetical: r"nhung|but|that ra|thuc ra|actually|vi|boi vi|because|since",
    Context.figurative: (
        r"nhung|ma|but|chu|that ra|thuc ra|that su|actually|seriously|then|thi|roi|xong|khi|luc|when|while|vi|because|and|va"
    ),
    CURRENT: r"(?!)",
}

TRIGGERS: Tuple[Trigger, ...] = (
    # negated: "không bị đánh", "ko có đánh e", "chưa bao giờ bị", "he never hit me"
    Trigger(Context.negated, r"khong|ko|k|kg|kh|khg|hok|hk|hem|khum|kô", FORWARD),
    Trigger(Context.negated, r"hong", FORWARD, marked="hông|hổng"),
    Trigger(Context.negated, r"chua", FORWARD, marked="chưa"),
    Trigger(Context.negated, r"chang", FORWARD, marked="chẳng"),
    Trigger(Context.negated, r"cha", FORWARD, marked="chả", bare=False),
    Trigger(Context.negated, r"deo|dech", FORWARD, marked="đéo|đếch"),
    Trigger(Context.negated, r"dau co|dau phai|lam gi co", FORWARD, marked="đâu|làm gì"),
    Trigger(Context.negated, r"ai ma|ai dam", FORWARD, marked="mà|dám"),  # "ai mà nhốt em": who would
    Trigger(Context.negated, rf"{_NEG} (?:he|bao gio|bao h|tung|phai|ai|co ai|nguoi nao)", FORWARD),
    Trigger(
        Context.negated,
        r"not|never|nobody|noone|no one|no longer|none|nothing|neither|nor|dont|don't|do not|didnt|didn't|did not|doesnt|doesn't|does not"
        r"|isnt|isn't|wasnt|wasn't|werent|weren't|arent|aren't|havent|haven't|hasnt|hasn't|hadnt|hadn't|wont|won't|aint|ain't",
        FORWARD, marked=_NO_MARKS,
    ),
    # unmarked "no" is mostly "nó" (he): "no danh e" is "he hits me"; English "no" only before an English verb
    Trigger(Context.negated, r"no(?= (?:hit|hits|beat|beats|kick|kicks|slap|slaps|punch|rape|lock|locks|touch|touches|kill|take|took"
            r"|keep|keeps)\b)", FORWARD, marked=_NO_MARKS),
    # "em có bị đánh đâu": the cue between "có" and a closing "đâu"
    Trigger(Context.negated, rf"(?:co|dau co|ai)(?: {_W}){{1,6}}? dau{_END}", COVER, marked="đâu"),
    Trigger(
        Context.negated,
        r"(?:la )?(?:khong|ko|k) (?:dung|co that|phai (?:vay|the|su that))|(?:is|was|that'?s|it'?s) not true|not true"
        r"|(?:didn'?t|did not|never) happen(?:ed)?",
        BACKWARD, window=4, marked="đúng|thật|phải",
    ),
    # past or resolved: "hồi năm ngoái", "trước đây", "chủ cũ", "used to", "last year", "it's over now"
    Trigger(Context.past, r"nam ngoai|nam truoc|nam kia|nam roi|(?:may|vai|hai|ba|\d+) nam (?:truoc|ve truoc)", BOTH, "sentence", 10,
            marked="năm"),
    Trigger(Context.past, r"hoi (?:truoc|trc|xua|do|ay|nho|be|con (?:o|lam)|nam ngoai)", BOTH, "sentence", 10, marked="hồi"),
    Trigger(Context.past, r"truoc day|truoc kia|trc day|trc kia|ngay truoc|luc truoc|luc trc|dao truoc|ngay xua|luc nho|ngay be"
            r"|thuo nho|(?:khi|luc) con (?:o|lam)", BOTH, "sentence", 10),
    Trigger(Context.past, r"(?:da |cung |chua )?tung", FORWARD, window=3, marked="từng"),
    # where it happened, not who did it: a former employer may still hold her passport or threaten her now
    Trigger(Context.past, r"(?:o|tai) (?:cong ty|cty|cho|cho lam|xuong|nha chu|nha) (?:cu|truoc)", BOTH, "sentence", 10, marked="cũ|trước"),
    Trigger(Context.past, r"last year|years? ago|long ago|long time ago|back then|in the past|when i was (?:a child|young|little|a kid)"
            r"|(?:at|in) (?:my |the |a )?(?:former|previous|old|last) (?:job|company|workplace|house|factory|ship)",
            BOTH, "sentence", 10),
    Trigger(Context.past, r"used to", FORWARD, "sentence", 10),
    Trigger(Context.past, rf"het bi (?:{_W} ){{1,3}}?roi", COVER, marked="hết"),
    Trigger(
        Context.past,
        # "bao giờ" is "when" ("bao giờ có chủ mới mới cho đi": not yet), not "now"
        rf"(?:(?<!bao )gio|bay gio|hien gio|hien tai|hien nay)(?: thi)?(?: {_SUBJECT})?(?: da)? (?:on|khong sao|ko sao|k sao|ok|oke|an toan"
        r"|do roi|het roi|het bi|o cho khac|lam cho khac|o nha khac|co chu moi|co viec moi|(?:ve nuoc|ve vn|ve viet nam|ve que"
        r"|nghi (?:lam|viec)|bo (?:cho|viec)|roi khoi|thoat|ra khoi)(?: \w+){0,3} roi)"
        r"|(?:da |dc |duoc )?ve (?:nuoc|vn|viet nam|que) roi|chuyen (?:do|cu|qua|da qua|xua)(?: roi| thoi)|da qua roi|het roi",
        BACKWARD, "message", 40,
    ),
    # "đổi chủ rồi" (changed employer); unmarked "doi chu" may be "đòi chủ" (demand of the employer)
    Trigger(Context.past, r"(?:doi|chuyen) (?:chu|cho|cong ty|cty|viec)(?: moi| khac)? roi|(?:doi|chuyen) sang (?:chu|cho|cong ty|cty|nha) "
            r"(?:moi|khac)", BACKWARD, "message", 40, marked="đổi|chuyển"),
    Trigger(
        Context.past,
        r"it'?s over|it is over|that'?s over|its over|(?:it'?s|it is) (?:all )?in the past"
        r"|(?:i'?m|i am|she'?s|she is|he'?s|he is|we'?re|we are) (?:safe|fine|ok|okay|alright|out|free|home) now"
        r"|i (?:have )?(?:left|quit) (?:that|the|this|my) (?:job|house|place|employer|boss|family)"
        r"|(?:i )?(?:have )?changed (?:my )?(?:employer|boss|job)|(?:i|we) (?:have )?moved (?:out|away|to a new)"
        r"|new (?:boss|employer|madam) is (?:good|nice|kind|ok|okay|fine)|i'?m back (?:home|in vietnam)|(?:i )?went back to vietnam"
        r"|(?:it|that) (?:was|happened) (?:a long time ago|long ago|years ago|last year)",
        BACKWARD, "message", 40,
    ),
    # current danger, which cancels past: it reaches back over the whole message, forward over its clause
    *_current(rf"van(?: con)? (?:bi|vay|the|nhu (?:vay|the|cu)|tiep tuc|{_VERBS})", "vẫn", r"van|van con"),
    *_current(rf"(?:con |van |hien )?dang (?:bi|{_VERBS})|con dang|hien dang", "đang", r"dang|con dang|hien dang"),
    *_current(rf"con bi|lai bi|bi lai|cung bi|lai {_VERBS}|cung {_VERBS}|tiep tuc", "còn|lại|cũng|tiếp"),
    *_current(r"toi nay|dem nay|ngay bay gio|ngay luc nay|luc nay|(?:cho |tu do )?(?:den|toi) (?:gio|nay|bay gio)", "nay|này|giờ"),
    *_current(r"still|again|right now|tonight|as we speak|at the moment|to this day|until now|even now|keeps? (?:on )?\w+ing"
              r"|kept on \w+ing|continues?|continuing"),
    # hypothetical or information-seeking: "nếu", "lỡ", "giả sử", "số nào", "có được không", "is it legal"
    Trigger(Context.hypothetical, r"neu|neu nhu|neu ma|neu lo|gia su|gia nhu|gia du|vi du|vd|trong truong hop|phong truong hop"
            r"|truong hop (?:ma|nhu|neu|lo)|phong khi", FORWARD, "condition", 10),
    Trigger(Context.hypothetical, r"lo|lo ma|lo nhu|lo may", FORWARD, "condition", 10, marked="lỡ", bare=False),
    Trigger(Context.hypothetical, r"lo ma|lo nhu|lo nhu ma", FORWARD, "condition", 10, marked="lỡ"),
    Trigger(Context.hypothetical, r"nho|nho ma|nho nhu", FORWARD, "condition", 10, marked="nhỡ", bare=False),
    Trigger(Context.hypothetical, r"if|what if|in case|suppose|supposing|hypothetically|imagine|let'?s say|whether", FORWARD,
            "condition", 10),
    Trigger(Context.hypothetical, r"is (?:it|that) (?:legal|illegal|allowed|ok|okay|against the law)"
            r"|(?:can|could|may) (?:the|my|a|an|her|his|our) (?:boss|employer|agency|broker|company|madam|owner|captain|manager|agent)s?"
            r"|(?:are|is) (?:the |my |an? )?(?:boss|employer|agency|broker|company|madam|owner|captain|employers|bosses|they) "
            r"(?:allowed|permitted) to|do(?:es)? (?:the |my )?(?:boss|employer|employers|bosses|agency) have (?:the )?right to",
            FORWARD, "clause", 8),
    Trigger(Context.hypothetical, r"thi sao|thi s|thi the nao", BACKWARD, window=6),
    Trigger(Context.hypothetical, r"so nao|sdt nao|so dien thoai nao|(?:goi|bao|lien he|lien lac) (?:cho )?ai"
            r"|(?:bao|trinh bao|to cao|khieu nai|lien he) (?:o )?dau|hotline|duong day nong"
            r"|what number|which number|who (?:do|should|can) (?:i|we|she|he|they) (?:call|contact|tell|report to)|who to (?:call|contact)"
            r"|where (?:do|can|should|to) (?:i |we |she |they )?report|how (?:do|can|to) (?:i |we |she )?report",
            BACKWARD, window=6),
    Trigger(Context.hypothetical, rf"co (?:duoc|dc|dung|bi phat|bi xu ly|hop phap|pham phap|trai luat|sai luat|vi pham|dung luat"
            rf"|duoc phep|la toi|la vi pham|la pham phap)(?: {_W}){{0,3}}? {_Q}|dung hay sai"
            r"|(?:is|was) (?:it|that|this) (?:legal|illegal|allowed|ok|okay|against the law)|legal or not|allowed or not",
            BACKWARD, window=6),
    Trigger(Context.hypothetical, rf"(?:duoc|dc) {_Q}", BACKWARD, window=2),
    Trigger(Context.hypothetical, rf"co (?:bi|duoc|dc|quyen|the|cho phep)(?: {_W}){{1,8}}? {_Q}{_END}", COVER, marked="có"),
    # figurative: media, jokes and laughter around the cue; idioms that contain it
    Trigger(Context.figurative, r"phim|bo phim|xem phim|tap phim|phim bo|bai hat|bai nhac|ca khuc|loi bai hat|nghe nhac|ban nhac|mv"
            r"|karaoke|doc truyen|truyen tranh|truyen ngon tinh|tieu thuyet|choi game|trong game", BOTH, "clause", 6,
            marked="phim|bài|nhạc|khúc|truyện|thuyết|game|karaoke|mv"),
    # a title in quotes after the medium: bài 'cứu em đi anh ơi', the song "save me"
    Trigger(Context.figurative, r"(?:bai|bai hat|bai nhac|ca khuc|phim|bo phim|truyen|(?:the |a )?song|movie|film|drama)"
            r"(?: ten| ten la| called| named)? ?[\"“«‘'][^\"”»’\n]{1,80}?[\"”»’']", COVER),
    Trigger(Context.figurative, r"(?:the|a|this|that|sad|love|old|new|korean|vietnamese|viet|kpop|k-pop) song|songs|song (?:lyrics|called|named)"
            r"|lyrics?|singing|movie|(?:a|the|this|that|korean|chinese|thai|old|new|sad) film|films|k-?drama|(?:the|a|this|korean|chinese|thai) drama|phim drama|xem drama|drama (?:han|trung|thai)"
            r"|series|episode \d+|(?:last|next|new) episode|tv show|novel|comic|manga|video game|in the game", BOTH, "clause", 6),
    Trigger(Context.figurative, r"noi dua|dua thoi|dua ti|dua chut|dua vui|dua ma|dua day|noi gion|gion thoi|gion ma|gion choi|noi choi"
            r"|choc thoi|troll", BOTH, "sentence", 6, marked="đùa|giỡn|chơi|chọc|troll"),
    Trigger(Context.figurative, r"dua|gion", BOTH, "sentence", 6, marked="đùa|giỡn", bare=False),
    Trigger(Context.figurative, r"just kidding|jk|kidding|joking|jokes?|haha\w*|hihi\w*|hehe\w*|kkk+|=+\)+|:+\)\)+|lol|lmao|rofl|xd|😂|🤣",
            BOTH, "sentence", 6),
    Trigger(Context.figurative, r"(?:met|doi|nong|lanh|ret|chan|buon cuoi|vui|ngai|xau ho|nho nha|so|khoc|cuoi|them|buon ngu|ngua|dau dau"
            r"|nhuc dau|tuc|ghen)(?: qua| lam| that| ghe)? (?:muon|mun|gan) (?:ngat xiu|chet|xiu|ngat|dien)"
            r"|(?:met|doi|nong|lanh|cuoi|tuc|so|ngai|xau ho|chan|them|buon ngu)(?: qua| lam)? chet(?: mat| di duoc| luon)?"
            r"|chet cuoi|chet doi (?:mat|di duoc|luon)", COVER,
            marked="mệt|đói|nóng|lạnh|rét|chán|cười|vui|ngại|xấu hổ|nhớ nhà|sợ|khóc|thèm|buồn ngủ|ngứa|đau đầu|nhức đầu|tức|ghen"),
    Trigger(Context.figurative, r"(?:heat|hot|weather|cold|work|job|overtime|back|feet|legs|head|headache|homework|traffic|hunger|boredom"
            r"|waiting|exam)(?:'s)?(?: \w+){0,2}? killing me|killing me softly|kill(?:ing)? time"
            r"|(?:want to|wanna|could) die (?:of|from) (?:embarrassment|shame|boredom|laughing|laughter)"
            r"|(?:embarrassed|so tired|so bored|so hungry|so awkward)(?: i)? (?:want to|wanna|could) die|i'?m (?:so )?starving"
            r"|dying (?:of|from) (?:laughter|laughing|boredom)|died laughing|scared to death|bored to death", COVER),
)

PSEUDO: Dict[str, Tuple[str, ...]] = {
    Context.negated: (
        rf"{_NEG} (?:nhung|chi|rieng)",  # không những … mà còn
        rf"{_NEG} bao (?:gio|h) (?:het|dung|ngung|thoi|nghi|tha|buong)",  # chưa bao giờ hết
        rf"{_NEG} (?:cho|duoc|dc|dk|tra|phat|an|ngu|nghi|ve|biet|bit|hieu|dam|the|chiu|muon(?! chet| tu tu| tu sat| song)|mun(?! chet| song)|thich|lien lac|goi|noi|tho|thoat|ra|di"
        r"|sao|co (?:an|com|do an|tien|luong|ngay|cho|giay|gi|cach|ho chieu|passport|the cu tru))",
        rf"(?:(?:{_NEG}|lam gi|dau)(?: co)? )?(?:ai|nguoi nao)(?: {_W})? (?:cuu|giup|ho tro)|{_NEG} (?:cuu|giup|ho tro|help|save)|{_NEG} con (?:cach|tien|suc|ai|gi|duong)",
        rf"co (?:{_W} ){{0,5}}?{_Q}",  # "chị có ở đó không cứu em": a question, not a denial
        rf"(?:duoc|dc|phai|dung|biet|hieu|nghe|thay) {_Q}",
        r"(?:not|no|never|dont|don't|do not|didnt|didn't|did not|doesnt|doesn't|does not|wont|won't|cannot|cant|can't)"
        r" (?:only |just |even )?(?:let|lets|give|gives|pay|pays|paid|allow|allowed|feed|know|understand|want(?! to die| to live)|stop|stops|dare|care|help"
        r"|save|end|ends|only|just|sure|enough|able)",
        r"no (?:food|water|money|salary|pay|wages?|rest|day|days|bed|phone|passport|choice|way|where|idea|time|sleep|problem)",
        r"(?:no one|nobody|noone) (?:will |can |would |wants to |to )?(?:help|save|listen|care|believe)\w*",
    ),
    Context.past: (
        r"(?:am|im|i'm|i am|get|got|getting|be|been|is|are|was|were) used to|used to (?:it|this|that)",
        r"tung (?:ngay|dem|dong|nguoi|chut|buoc|lan|thang|tuan|gio)",
        r"(?:duoi|day|bat|ep|cho|dua|tra|doa) (?:em |toi |minh |e |chi |ban )?ve (?:nuoc|vn|viet nam|que)",
        r"(?:tien|luong|com|gao|do an|thuc an|pin|sim|chiu) het roi",
        r"(?:life|everything) is over|(?:it'?s|is) over for me",
    ),
    Context.hypothetical: (
        r"as if|even if|if possible|if you (?:can|could|have|are|want|dont mind|don't mind)|if (?:anyone|somebody|someone) (?:can|could)"
        r"|(?:know|ask|asking|see|check) if|if not|if only",
        r"neu (?:duoc|dc|co the|chi (?:ranh|co the|giup)|anh (?:ranh|co the|giup)|khong|ko|k|hok|kg)",
        rf"co (?:ai|nguoi nao|cach nao|the) (?:{_W} ){{0,2}}?(?:cuu|giup|ho tro|help)",
        r"(?:chi|anh|ban|ad|admin|mn|moi nguoi|ben (?:chi|anh|minh)|ai) co the|co nen",
        rf"(?:giup|cuu|ho tro|tu van|lam on|chi|anh|ad|admin|ban|mn|goi|den|toi|tra loi|rep)(?: {_W}){{0,2}} (?:duoc|dc) {_Q}",
    ),
    Context.figurative: (
        r"(?:khong|ko|k|chang|dau|ko phai|khong phai|dau phai|chang phai|k phai) (?:phai )?(?:dua|gion|noi dua|noi gion|noi choi)",
        r"not (?:a )?joke|not joking|not kidding|no joke|no joking|no kidding|isn'?t a joke|this is not a (?:joke|game|movie|film)",
        r"nhu (?:trong )?(?:phim|truyen)|like (?:in )?a (?:movie|film)",
        r"quay phim|dong phim|phim (?:sex|nguoi lon|khieu dam|nong|con heo)",  # filming her, porn: abuse, not fiction
        r"chan doi",
    ),
    CURRENT: (
        r"tu van|van de|van phong|van ban|van hoa|van tay|van chuyen|van dong|van xin|van nan|van menh",
        r"van (?:con )?(?:on|tot|khoe|binh thuong|vui|so|nho|am anh|buon|chua quen|thuong)",
        r"dang (?:so|ke|tien|thuong|ky|ki|tin|bai|gia|le|lo|buon)",
        r"still (?:scared|afraid|remember|think|have nightmares|hurts?|sad|traumati\w*|fine|ok|okay|good|safe|shaking|cry|crying)",
        r"(?:thank\w*|thanks) again",
    ),
}
