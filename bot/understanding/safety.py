"""The safety net: phrase rules over folded text that catch danger the classifier may miss.

It can raise a message's severity, never lower it (bot.understanding.triage applies it). The rules read
folded text (no marks, lower case), so each pattern is written to survive the collisions that
folding makes: "tự tử" (suicide) and "từ từ" (slowly) are both "tu tu"; "nghỉ" (rest) and
"nghĩ" (think) are both "nghi". Where a collision is likely, the pattern asks for more context.

Every cue found is kept with the contexts that modify it (bot.understanding.context: negated,
past, hypothetical, figurative). Only a cue in no context raises severity on its own; the others
("hồi năm ngoái chủ cũ có tát em", "em không bị đánh", "nếu bị đánh thì gọi số nào", a song
called "cứu em đi anh ơi") are returned too, so that the caller can ask instead of paging.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Pattern

from bot.understanding.context import Context, contexts
from bot.understanding.severity import Severity
from bot.understanding.text import fold, nfc

_ME = r"(?:em|e|toi|tui|minh|mk|mik|chau|con|chi|me|us)"
_NO = r"(?:khong|ko|k|hok|hong|kg|kh|chua|chang|cha)"


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    intent: str
    pattern: Pattern[str]
    unless: Optional[Pattern[str]] = None


def _rule(name, severity, intent, *patterns, unless=None) -> Rule:
    return Rule(
        name,
        severity,
        intent,
        re.compile("|".join(f"(?:{p})" for p in patterns)),
        re.compile(unless) if unless else None,
    )


_C, _H = Severity.critical, Severity.high

RULES: List[Rule] = [
    _rule("sexual_assault", _C, "emergency_sexual_assault",
          rf"\b(?:hiep dam|cuong hiep|cuong dam|xam hai|bi hiep|hiep {_ME})\b",
          rf"\b(?:ep|bat|buoc) {_ME}? ?(?:quan he|ngu voi|lam chuyen do|lam tinh|cho no ngu|ngu chung giuong)\b",
          rf"\blam chuyen (?:do|ay|kia) voi {_ME}\b",
          rf"\bde {_ME} ra\b",
          r"\b(?:rape|raped|raping|rapes|sexual(?:ly)? assault(?:ed)?|molest(?:ed|s|ing)?|forced me to have sex|forced (?:me )?(?:into )?sex)\b"),
    _rule("violence", _C, "emergency_violence",
          r"\bbi (?:danh|dap|tat|hanh hung|hanh ha|nguoc dai|bop co|dam|chem|dot|quat|dap dau)\b",
          rf"\b(?:danh|dap|tat|bop co|hanh ha|dam|chem|dot) {_ME}\b",
          r"\b(?:danh dap|danh chet|danh bam dap|danh tim)\b",
          r"\b(?:beat|beats|beating|hit|hits|hitting|kick|kicks|kicked|kicking|slap|slaps|slapped|punch|punched|punches|choke|choked|burn|burned|stab|stabbed|attack|attacked|attacks) (?:me|us)\b",
          r"\b(?:beaten|beat me up|beat up|physically abused)\b"),
    _rule("confinement", _C, "emergency_confinement",
          rf"\b(?:nhot|giam long|giam giu) (?:{_ME}|trong|lai)\b",
          rf"\b(?:giam) {_ME}\b",
          r"\bbi (?:nhot|giam long|giam giu|khoa trong|khoa cua|khoa lai)\b",
          rf"\bkhoa (?:cua )?(?:{_ME} )?(?:trong|lai|nhot)\b",
          rf"\b{_NO} (?:cho|duoc|dc) (?:{_ME} )?(?:ra ngoai|ra khoi|ra duong|buoc ra|di ra ngoai|ra khoi nha|di dau)\b",
          r"\block(?:ed|s)? (?:me |us )?(?:in|inside|up)\b",
          r"\blocks? (?:me|us)\b",
          r"\b(?:not allowed|cannot|can ?not|cant|can't|won'?t let me|wont let me|dont let me|don'?t let me) (?:to )?(?:go out|leave|get out|go outside|step out)\b",
          r"\bkept (?:me )?(?:inside|in a room|prisoner|locked)\b",
          rf"\bkhoa (?:het )?(?:cong|cua)\b.{{0,40}}\b{_NO} (?:duoc |dc |cho )?(?:di|ra)\b",
          rf"\b{_NO} (?:cho|duoc|dc) (?:{_ME} )?(?:len bo|ve bo|xuong tau|roi tau|roi khoi tau)\b",
          r"\block(?:ed|s)? the (?:gate|door)\b.{0,40}\b(?:cannot|can'?t|cant|not allowed|no way)\b",
          r"\b(?:not allowed|cannot|can'?t|cant) (?:to )?(?:go )?ashore\b"),
    _rule("trafficking", _C, "emergency_trafficking",
          r"\bbi ban\b",
          rf"\bban {_ME} (?:cho|sang|qua|vao|di|lai)\b",
          r"\b(?:buon nguoi|mua ban nguoi|buon ban nguoi)\b",
          r"\b(?:sold me|sold us|i was sold|been sold|were sold|trafficked|trafficking|traffickers?)\b",
          rf"\b(?:ep|bat) (?:{_ME} )?(?:lam |di )?(?:lua dao|scam)\b",
          r"\b(?:tien chuoc|doi chuoc|ransom|forced (?:me |us )?to scam)\b",
          # "bị bẩn" (dirty) folds to "bi ban" too
          unless=r"\b(?:quan ao|ao|phong|nha|tay|do|giuong|nuoc|cho o) bi ban\b"),
    _rule("forced_sex_work", _C, "emergency_forced_sex_work",
          rf"\b(?:ep|bat|buoc) (?:{_ME} )?(?:ban dam|tiep khach|di khach|lam gai|ban than|ngu voi khach)\b",
          r"\b(?:ban dam|mai dam|lam gai bao)\b",
          r"\b(?:prostitut\w*|sex work|sell sex|selling sex|sell my body|sleep with (?:customers|clients|men))\b",
          r"\b(?:di khach san voi|ngu voi khach|go to (?:a |the )?hotel with (?:men|customers|clients)|serve men|go out with customers)\b"),
    _rule("suicidal", _C, "emergency_suicidal",
          r"\b(?:muon|mun|dinh|se|nghi den|nghi toi|tinh|co y dinh) (?:tu tu|tu sat)\b",
          r"\btu sat\b",
          r"\b(?:muon|mun|tha) chet\b",
          rf"\b{_NO} (?:con )?(?:muon|mun|thiet) song\b",
          r"\b(?:chet cho xong|chet quach|ket lieu doi|ket thuc cuoc doi|thuoc chuot|uong thuoc ngu|nhay lau|nhay cau|nhay song)\b",
          r"\b(?:kill myself|killing myself|suicid\w*|want to die|wanna die|end my life|end it all|better off dead|don'?t want to live|dont want to live|no reason to live)\b",
          r"\b(?:thu tuyet menh|tin nhan cuoi cung|my last message|this is my last message)\b"),
    _rule("death_threat", _C, "emergency_death_threat",
          rf"\b(?:giet|thit) (?:{_ME}|ca nha|gia dinh|chet|may)\b",
          r"\b(?:doa|se|dam|muon) giet\b",
          r"\b(?:kill|murder) (?:me|you|us|my family|her)\b",
          r"\bthreat\w* to kill\b",
          rf"\b(?:nem|quang|vut|day) (?:{_ME} )?xuong (?:bien|song)\b",
          rf"\bcho {_ME} bien mat\b",
          r"\b(?:throw|push) me (?:into|in) the (?:sea|river|water)\b",
          r"\bnobody will (?:ever )?find (?:my|your) body\b"),
    _rule("medical", _C, "emergency_medical",
          r"\bchay (?:rat )?nhieu mau\b",
          r"\bchay mau (?:nhieu|khong ngung|khong cam|qua|lien tuc)\b",
          r"\b(?:ngat xiu|bi ngat|bat tinh|hon me|co giat|sap chet|kho tho|khong tho duoc|ko tho dc|ko tho duoc|tho khong noi)\b",
          r"\b(?:ngat (?:\d+|hai|ba|may) lan|ngat di|non ra mau|ho ra mau|oi ra mau|vomit(?:ing|ed)? blood|cough(?:ing|ed)? (?:up )?blood)\b",
          r"\bgay (?:tay|chan|xuong|co|suon)\b",
          r"\b(?:bleeding (?:a lot|heavily|badly|so much)|can'?t breathe|cannot breathe|cant breathe|unconscious|passed out|fainted|broken (?:arm|leg|bone|bones)|heart attack|overdose|seizure)\b"),
    _rule("cry_for_help", _C, "emergency_violence",
          rf"\bcuu (?:{_ME}|voi|giup|toi voi|em voi)\b",
          r"^\W*cuu\b",
          r"\b(?:save me|sos|help me please|please help me|help me pls|help me plz|help help|pls help me)\b"),
    _rule("passport", _H, "abuse_passport_withheld",
          r"\b(?:giu|cam|thu|lay|tich thu|khong tra|ko tra|k tra|hok tra|chua tra|keep|keeps|kept|took|take|takes|taken|holding|hold|holds|confiscat\w*)\b.{0,30}\b(?:ho chieu|passport|passports|arc|the cu tru|the ngoai kieu|giay to|residence card|id card|zairyu)\b",
          r"\b(?:ho chieu|passport|arc|the cu tru)\b.{0,20}\b(?:bi giu|bi thu|giu|khong tra|ko tra|kept|taken|confiscated)\b"),
    _rule("wages", _H, "abuse_unpaid_wages",
          rf"\b{_NO} (?:duoc |dc |co |thay )?(?:tra|nhan|phat|thanh toan|chuyen) (?:luong|tien luong|tien cong)\b",
          r"\b(?:no|giu|tru|cat|quyt|an chan|an bot) (?:het |mat |bot )?luong\b",
          r"\bluong (?:bi )?(?:giu|tru het|no|cham|khong tra|ko tra)\b",
          r"\b(?:not paid|never paid|haven'?t been paid|havent been paid|didn'?t pay me|didnt pay me|did not pay me|don'?t pay me|dont pay me|doesn'?t pay me|not pay me|no salary|no pay|unpaid|salary (?:is )?late|withh[oe]ld\w* (?:my )?(?:salary|wages?|pay)|owes? me (?:salary|wages|money))\b"),
    _rule("hours", _H, "abuse_excessive_hours",
          rf"\b{_NO} (?:duoc|dc|co|cho) (?:{_ME} )?(?:nghi ngoi|nghi phep|ngay nghi|nghi)\b",
          r"\b(?:khong co ngay nghi|ko co ngay nghi|lam ca ngay lan dem|lam suot ngay dem|lam tu sang den dem)\b",
          r"\blam (?:viec )?(?:1[4-9]|2[0-4]) ?(?:tieng|gio|h)\b",
          r"\b(?:no day off|no days off|no rest day|never get a day off|without rest|without a day off|(?:1[4-9]|2[0-4]|fourteen|fifteen|sixteen|eighteen|twenty) hours a day|7 days a week|seven days a week)\b",
          unless=r"\b(?:khong|ko|k) (?:duoc|dc) nghi (?:vay|the|nhu vay)\b"),
    _rule("harassment", _H, "abuse_sexual_harassment",
          r"\b(?:sam so|quay roi|so mo|so soang|dong cham|ep hon|nhin trom|rinh xem|quay len|gui anh nong|lam nhuc)\b",
          r"\b(?:harass\w*|touch(?:es|ed|ing)? me|touch(?:es|ed|ing)? my (?:body|breast|breasts|butt|chest|leg|legs)|grope\w*|sexual (?:messages|comments|photos|jokes)|watch(?:es|ed)? me (?:shower|bath|change))\b"),
    _rule("threats", _H, "abuse_threats",
          r"\b(?:doa|de doa|ham doa) (?:se )?(?:duoi|bao|goi|tra|cho|dua|phat|danh|lam hai|hai|tru)\b",
          r"\b(?:threaten\w*|deport\w*|send me (?:back|home)|call (?:the )?police on me|report me to (?:the )?(?:police|immigration))\b"),
    _rule("debt", _H, "abuse_debt_bondage",
          rf"\b(?:doi|bat|ep) (?:{_ME} )?(?:dong|nop|tra|dua|dat) (?:them )?(?:tien|phi)\b",
          r"\b(?:no|tra no|gan no|khoan no) (?:cong ty|moi gioi|co|chu|ong chu)\b",
          r"\b(?:thu giu|giu|cam|the chap|cam co) so do\b",
          r"\b(?:tru luong|tru tien|giu luong) (?:de )?(?:tra no|tru no|chong tron)\b",
          r"\b(?:debt bondage|in debt to|owe (?:the )?(?:agency|broker|company|boss)|(?:agency|broker) (?:asks?|wants?|demands?) (?:for )?(?:more|extra) (?:money|fees?))\b"),
    _rule("deception", _H, "abuse_deception",
          rf"\b(?:bi lua|lua dao|lua {_ME}|khong (?:dung|giong) (?:nhu )?(?:hop dong|loi hua|da hua|quang cao))\b",
          r"\b(?:lied to me|lied to us|cheated|scammed|not the job|different (?:job|work) (?:than|from)|not what (?:they|the agency|the company) promised)\b"),
    _rule("isolation", _H, "abuse_isolation",
          r"\b(?:thu|lay mat|giu|tich thu|dap|dap vo|thu mat) (?:mat |het )?(?:dien thoai|dt|dthoai|phone|sim)\b",
          rf"\b{_NO} (?:cho|duoc|dc) (?:{_ME} )?(?:goi dien|goi ve|lien lac|dung dien thoai|nhan tin|gap ai)\b",
          r"\b(?:took|take|takes|taken|keeps?|kept|broke|confiscat\w*) (?:my|our) (?:phone|mobile|sim)\b",
          r"\bnot allowed to (?:call|use (?:my |the )?phone|contact|talk to)\b"),
    _rule("denied_medical", _H, "abuse_denied_medical",
          rf"\b{_NO} (?:cho|duoc|dc) (?:{_ME} )?(?:di )?(?:kham|vien|benh vien|bac si|chua benh|mua thuoc)\b",
          r"\b(?:not allowed to|won'?t let me|wont let me|doesn'?t let me|doesnt let me|refuses? to take me to) (?:see |go to |to go to )?(?:a |the )?(?:doctor|hospital|clinic)\b"),
    _rule("living", _H, "abuse_living_conditions",
          rf"\b(?:khong|ko|k|hok|chang) (?:cho|du|duoc|dc|co) (?:{_ME} )?(?:an|com an|do an|an com)\b",
          r"\b(?:bo doi|nhin doi|chet doi|an com thua|an do thua)\b",
          r"\bngu (?:duoi dat|o bep|trong bep|nha kho|trong kho|chuong|ngoai hanh lang|nha ve sinh|duoi san)\b",
          r"\b(?:no food|not enough food|starv\w*|sleep (?:on the floor|in the kitchen|in the storage|in the toilet|outside)|no bed|leftovers only)\b",
          unless=r"\b(?:khong|ko|k) (?:an|co an) (?:duoc )?(?:do cay|thit|ca|rau)\b"),
    _rule("unsafe_work", _H, "abuse_unsafe_work",
          r"\b(?:tai nan lao dong|khong co (?:do |dung cu )?bao ho|ko co do bao ho|hoa chat doc|dut tay|cut (?:off )?my finger|no (?:safety|protective) (?:gear|equipment)|dangerous (?:machine|chemicals?|work)|toxic chemicals?)\b"),
]


@dataclass(frozen=True)
class SafetyHit:
    rule: str
    severity: Severity
    intent: str
    phrase: str
    contexts: FrozenSet[Context] = frozenset()

    @property
    def stands(self) -> bool:
        """In no context: danger as written, which raises severity on its own."""
        return not self.contexts


def _normal(text: str) -> str:
    return " ".join(nfc(text).replace("’", "'").split())


def _first_hit(rule: Rule, normal: str, folded: str) -> Optional[SafetyHit]:
    """The rule's first cue in no context, else its first cue in context, else None."""
    held: Optional[SafetyHit] = None
    for match in rule.pattern.finditer(folded):
        hit = SafetyHit(rule.name, rule.severity, rule.intent, match.group(0), contexts(normal, match.start(), match.end()))
        if hit.stands:
            return hit
        held = held or hit
    return held


def scan_all(text: str) -> List[SafetyHit]:
    """One hit per rule the text triggers, each with its contexts, the most severe first (rule
    order among equals, so the more specific rules come first)."""
    normal = _normal(text)
    folded = fold(normal)
    hits = []
    for rule in RULES:
        if rule.unless is not None and rule.unless.search(folded):
            continue
        hit = _first_hit(rule, normal, folded)
        if hit is not None:
            hits.append(hit)
    return sorted(hits, key=lambda hit: -hit.severity)


def scan(text: str) -> Optional[SafetyHit]:
    """The most severe hit that stands on its own (in no context), or None."""
    return next((hit for hit in scan_all(text) if hit.stands), None)
