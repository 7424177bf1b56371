"""Vietnamese or English? Decided from evidence a cheap phone's text still carries.

Order of evidence:
1. Vietnamese marks (tones, ă â đ ê ô ơ ư) mean Vietnamese.
2. Words: unaccented Vietnamese function words and teen-code ("ko", "dc", "e", "mk") against
   common English words. A clear majority decides.
3. Three or more words: langdetect, restricted to the two languages, decides when it is sure.
4. Otherwise nobody can tell ("ok", "hi?"): the caller falls back to the conversation's language.
"""
from __future__ import annotations

import importlib.resources
import threading
from typing import Optional

from bot.understanding.text import has_vietnamese_marks, words

VIETNAMESE = "vi"
ENGLISH = "en"
LANGUAGES = (VIETNAMESE, ENGLISH)

# Unaccented Vietnamese words and teen-code that are not also common English words.
_VI_WORDS = frozenset(
    """
    toi em anh chi minh mk mik tui ban bn ong ba chu co cau ho no nguoi ng nhung cac moi
    khong ko k hok hong kg kh dc duoc đc dk bi bj cua la thi ma nen vi voi vs va hay hoac
    nay do kia ay day roi r chua ch cung cg van dang se da vua mat phai fai can muon biet bit
    lam viec cv giup ho tro huong dan xin chao cam on cm camon oi nhe nha nhe ak a ah uk um vang
    da dung sai gi j sao tai vay z the ntn nhu nao bao nhieu luong tien tra no ve nha
    ho chieu giu bat nhot danh chet cuu tron thoat trom cong ty moi gioi xuat khau lao dong
    phi ngay thang nam gio tuan dau o dau di den tu tu sang toi qua len xuong ra vao duoc
    giay to an uong ngu nghi benh vien cong an canh sat dai su quan lanh su goi sdt so dien thoai
    oke okie uh uhm hjx hic huhu mn moi nguoi thay hoi tra loi khach alo alô
    """.split()
)
_EN_WORDS = frozenset(
    """
    i me my mine you your he she her him his we our they them their it its this that these those
    is am are was were be been being do does did have has had will would can could should may
    must not no yes the a an and or but if so because of to in on at for from with about by as
    what who where when why how which please help thanks thank hello hey bye goodbye good
    morning night want need know get got go going take took keep kept pay paid work job boss
    employer agency passport money salary phone call human person someone talk speak there here
    there's i'm don't can't won't it's im dont cant wont sorry just now very much
    """.split()
)
_VI_ONLY = _VI_WORDS - _EN_WORDS
_EN_ONLY = _EN_WORDS - _VI_WORDS

_PROFILES = importlib.resources.files("langdetect") / "profiles"
_factory_lock = threading.Lock()
_factory = None


def _detector_factory():
    """A langdetect factory that knows only Vietnamese and English, seeded for repeatability."""
    global _factory
    with _factory_lock:
        if _factory is None:
            from langdetect.detector_factory import DetectorFactory

            factory = DetectorFactory()
            factory.load_json_profile(
                [(_PROFILES / code).read_text(encoding="utf-8") for code in LANGUAGES]
            )
            factory.seed = 0
            _factory = factory
    return _factory


def _langdetect(text: str) -> tuple[Optional[str], float]:
    from langdetect.lang_detect_exception import LangDetectException

    detector = _detector_factory().create()
    detector.append(text)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return None, 0.0
    return best.lang, best.prob


def detect_language(text: str) -> Optional[str]:
    """"vi", "en", or None when the text does not say (the caller keeps the previous language)."""
    if has_vietnamese_marks(text):
        return VIETNAMESE
    # Numbers say nothing about the language: "25000 dai te" or "1500 usd" keep the conversation's.
    tokens = [token for token in words(text) if not token.isdigit()]
    if not tokens:
        return None
    vi_votes = sum(token in _VI_ONLY for token in tokens)
    en_votes = sum(token in _EN_ONLY for token in tokens)
    if vi_votes >= en_votes + 2 or (vi_votes and not en_votes and len(tokens) <= 2):
        return VIETNAMESE
    if en_votes >= vi_votes + 2 or (en_votes and not vi_votes and len(tokens) <= 2):
        return ENGLISH
    if len(tokens) >= 3:
        language, probability = _langdetect(" ".join(tokens))
        if language and probability >= 0.8:
            return language
    if vi_votes != en_votes:
        return VIETNAMESE if vi_votes > en_votes else ENGLISH
    return None


def clearly_written_in(text: str) -> Optional[str]:
    """The language when the whole message clearly is one, else None: what may change a
    conversation's language. Short, unaccented or mixed texts ("help", "e o kuwait", "cam on
    can bo", "ok") keep the conversation's language."""
    if has_vietnamese_marks(text):
        return VIETNAMESE
    tokens = [token for token in words(text) if not token.isdigit()]
    vi_votes = sum(token in _VI_ONLY for token in tokens)
    en_votes = sum(token in _EN_ONLY for token in tokens)
    if len(tokens) < 3:
        return None
    if en_votes >= 2 and not vi_votes and en_votes * 2 >= len(tokens):
        return ENGLISH
    if vi_votes >= 2 and not en_votes and vi_votes * 2 >= len(tokens):
        return VIETNAMESE
    return None


def best_guess(text: str, default: str = VIETNAMESE) -> str:
    """A language for every text, for callers with no conversation to fall back on."""
    decided = detect_language(text)
    if decided:
        return decided
    tokens = words(text)
    if tokens:
        language, probability = _langdetect(" ".join(tokens))
        if language and probability >= 0.6:
            return language
    return default
