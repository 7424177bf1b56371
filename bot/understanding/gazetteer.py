"""Where is she, and what work does she do? Found in folded text by phrase lists.

Short Vietnamese names collide with common words once the marks are gone: "Hàn" (Korea) and
"hạn" (deadline), "Nhật" (Japan) and "nhất" (most), "Đài" (Taiwan) and "dài" (long), "Thái"
(Thailand) and "thai" (pregnancy), "Đức" and the name Đức. Those count only after a word that
places someone there ("ở Hàn", "bên Đài", "sang Nhật"). Longer names ("Hàn Quốc", "Đài Loan")
and cities count anywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from bot.understanding.text import fold, nfc

# Words after which a bare short name means a place: "ở Hàn", "bên Đài", "sang Nhật", "in Thai".
# Not "qua" or "den": "quá hạn", "quá dài", "đến hạn" would read as places.
_PLACE_CONTEXT = {"o", "ben", "sang", "tai", "di", "nuoc", "xu", "in", "to", "from", "at"}

# ISO code -> phrases (written folded: lower case, no marks). A leading "~" means: only after a
# place word (see _PLACE_CONTEXT).
COUNTRIES: Dict[str, List[str]] = {
    "TW": [
        "dai loan", "taiwan", "~dai", "~dl", "dl", "dai bac", "taipei", "tan bac", "new taipei", "cao hung",
        "kaohsiung", "dai trung", "taichung", "dao vien", "taoyuan", "dai nam", "tainan", "tan truc",
        "hsinchu", "chuong hoa", "changhua", "nghi lan", "yilan", "mieu lat", "miaoli", "van lam",
        "binh dong", "pingtung", "dai dong", "hoa lien", "hualien", "gia nghia", "chiayi", "co hung",
    ],
    "JP": [
        "nhat ban", "japan", "~nhat", "~nb", "tokyo", "osaka", "nagoya", "fukuoka", "saitama", "chiba",
        "aichi", "kyoto", "hiroshima", "kobe", "yokohama", "ibaraki", "gifu", "gunma", "shizuoka",
        "okayama", "hokkaido", "sapporo", "kumamoto", "tochigi", "mie", "nagano", "hyogo", "kanagawa",
        "niigata", "miyagi", "sendai", "kagoshima", "tokushima", "kagawa", "nara", "toyama",
    ],
    "KR": [
        "han quoc", "nam han", "korea", "south korea", "~han", "hq", "seoul", "xo un", "busan", "incheon",
        "daegu", "gwangju", "ulsan", "ansan", "suwon", "gimhae", "changwon", "pohang", "jeju",
        "gyeonggi", "cheonan", "daejeon", "hwaseong", "pyeongtaek", "tongyeong", "geoje", "mokpo",
    ],
    "MY": [
        "malaysia", "malay", "malai", "ma lai", "ma lai xi a", "malaixia", "kuala lumpur", "~kl",
        "penang", "johor", "johor bahru", "selangor", "klang", "shah alam", "sabah", "sarawak", "ipoh",
        "melaka", "malacca", "kuching", "kota kinabalu",
    ],
    "SA": [
        "a rap xe ut", "a rap saudi", "arap xe ut", "saudi", "saudi arabia", "ksa", "a rap", "arap",
        "xe ut", "riyadh", "riyad", "jeddah", "dammam", "mecca", "makkah", "medina",
        "madinah", "taif", "khobar", "al khobar", "abha", "tabuk", "buraidah",
    ],
    "AE": [
        "uae", "tieu vuong quoc a rap", "tieu vuong quoc a rap thong nhat", "a rap thong nhat",
        "emirates", "united arab emirates", "dubai", "du bai", "abu dhabi", "abu dabi", "sharjah",
        "ajman", "al ain", "fujairah", "ras al khaimah",
    ],
    "SG": ["singapore", "xinh ga po", "xingapo", "singapo", "~sing"],
    "TH": ["thai lan", "thailand", "~thai", "bangkok", "bang coc", "pattaya", "chiang mai", "phuket"],
    "CN": [
        "trung quoc", "china", "tq", "bac kinh", "beijing", "thuong hai", "shanghai",
        "quang chau", "guangzhou", "tham quyen", "shenzhen", "dong hung", "quang tay", "van nam",
        "bang tuong", "quang dong", "guangdong",
    ],
    "DE": ["~duc", "nuoc duc", "germany", "deutschland", "berlin", "munich", "munchen", "frankfurt", "hamburg", "cologne", "koln"],
    "RO": ["romania", "rumani", "ru ma ni", "rumania", "bucharest", "bucuresti", "cluj"],
    "QA": ["qatar", "doha"],
    "KW": ["kuwait", "co oet", "coet", "cooet", "kuwait city"],
    "HK": ["hong kong", "hongkong", "huong cang"],
    "MO": ["macau", "ma cao", "macao"],
    "OM": ["oman", "muscat"],
    "BH": ["bahrain", "manama"],
    "IL": ["israel", "ix ra en"],
    "AU": ["~uc", "australia", "sydney", "melbourne", "perth", "brisbane"],
    "PL": ["ba lan", "poland", "warsaw", "vac sa va"],
    "HU": ["hungary", "hung ga ri", "budapest"],
    "CZ": ["~sec", "cong hoa sec", "czech", "prague", "praha"],
    "RU": ["~nga", "nuoc nga", "russia", "moscow", "mat xco va"],
    "LY": ["libya"],
    "BN": ["brunei", "bru nay"],
    # Scam compounds recruit Vietnamese workers across these borders.
    "KH": ["campuchia", "cam pu chia", "cambodia", "phnom penh", "nam vang", "sihanoukville", "bavet", "ba vet", "xi ha nuc"],
    "MM": ["myanmar", "mien dien", "burma", "yangon", "myawaddy"],
    "LA": ["vientiane", "viang chan"],
}

# Occupation -> phrases, folded.
OCCUPATIONS: Dict[str, List[str]] = {
    "domestic_worker": [
        "giup viec", "giup viec nha", "osin", "o sin", "lam viec nha", "maid", "housemaid", "helper",
        "domestic worker", "domestic helper", "house keeper", "housekeeper",
    ],
    "caregiver": [
        "cham soc nguoi gia", "cham soc ong", "cham soc ba", "cham soc cu", "khan ho cong", "ho ly",
        "dieu duong", "caregiver", "care giver", "carer", "nursing home", "vien duong lao", "kaigo",
        "cham nguoi benh", "cham soc benh nhan", "nurse aide",
    ],
    "factory": ["nha may", "cong xuong", "xuong may", "xuong go", "xuong san xuat", "cong ty dien tu", "factory", "lam may", "day chuyen", "assembly line"],
    "construction": ["xay dung", "cong truong", "tho xay", "phu ho", "construction", "building site", "cop pha", "cot thep"],
    "agriculture": ["nong nghiep", "trang trai", "nong trai", "lam vuon", "hai rau", "hai nam", "farm", "farming", "agriculture", "chan nuoi"],
    "fishing": ["danh ca", "danh bat", "tau ca", "ngu dan", "thuyen vien", "di bien", "fishing", "fisherman", "fishing boat", "fishing vessel", "crew"],
    "technical_intern": ["thuc tap sinh", "tts", "tu nghiep sinh", "technical intern", "intern", "trainee", "ginou jisshu"],
    "specified_skilled": ["ky nang dac dinh", "tokutei", "tokutei gino", "specified skilled"],
}


@dataclass(frozen=True)
class Mention:
    value: str
    start: int
    end: int


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _compile(table: Dict[str, List[str]]) -> Dict[Tuple[str, ...], Tuple[str, bool]]:
    phrases: Dict[Tuple[str, ...], Tuple[str, bool]] = {}
    for value, entries in table.items():
        for entry in entries:
            needs_context = entry.startswith("~")
            key = tuple(entry.lstrip("~").split())
            # A phrase listed both bare and with "~" is accepted bare.
            if key in phrases and not phrases[key][1]:
                continue
            phrases[key] = (value, needs_context)
    return phrases


_COUNTRY_PHRASES = _compile(COUNTRIES)
_OCCUPATION_PHRASES = _compile(OCCUPATIONS)


def _find(text: str, phrases: Dict[Tuple[str, ...], Tuple[str, bool]]) -> List[Mention]:
    folded = fold(nfc(text))
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    longest = max(len(key) for key in phrases)
    found: List[Mention] = []
    position = 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            key = tuple(token for token, _, _ in tokens[position:position + size])
            match = phrases.get(key)
            if match is None:
                continue
            value, needs_context = match
            if needs_context and (position == 0 or tokens[position - 1][0] not in _PLACE_CONTEXT):
                continue
            found.append(Mention(value, tokens[position][1], tokens[position + size - 1][2]))
            position += size
            break
        else:
            position += 1
    return found


def find_countries(text: str) -> List[Mention]:
    """Countries named in the text, in order, as ISO 3166-1 alpha-2 codes."""
    return _find(text, _COUNTRY_PHRASES)


def find_occupations(text: str) -> List[Mention]:
    return _find(text, _OCCUPATION_PHRASES)


def country_of(text: str) -> Optional[str]:
    """The country a message places her in: the first one it names."""
    mentions = find_countries(text)
    return mentions[0].value if mentions else None



# How to name a country back to her.
COUNTRY_NAMES: Dict[str, Tuple[str, str]] = {
    "VN": ("Việt Nam", "Vietnam"), "TW": ("Đài Loan", "Taiwan"), "JP": ("Nhật Bản", "Japan"),
    "KR": ("Hàn Quốc", "South Korea"), "MY": ("Malaysia", "Malaysia"), "SA": ("Ả Rập Xê Út", "Saudi Arabia"),
    "AE": ("UAE (Dubai)", "the UAE"), "SG": ("Singapore", "Singapore"), "TH": ("Thái Lan", "Thailand"),
    "CN": ("Trung Quốc", "China"), "DE": ("Đức", "Germany"), "RO": ("Romania", "Romania"),
    "QA": ("Qatar", "Qatar"), "KW": ("Kuwait", "Kuwait"), "HK": ("Hồng Kông", "Hong Kong"),
    "MO": ("Ma Cao", "Macau"), "OM": ("Oman", "Oman"), "BH": ("Bahrain", "Bahrain"), "IL": ("Israel", "Israel"),
    "AU": ("Úc", "Australia"), "PL": ("Ba Lan", "Poland"), "HU": ("Hungary", "Hungary"), "CZ": ("Séc", "Czechia"),
    "RU": ("Nga", "Russia"), "LY": ("Libya", "Libya"), "BN": ("Brunei", "Brunei"),
    "KH": ("Campuchia", "Cambodia"), "MM": ("Myanmar", "Myanmar"), "LA": ("Lào", "Laos"),
}


def country_name(code: Optional[str], language: str) -> str:
    vi, en = COUNTRY_NAMES.get(code or "", (code or "", code or ""))
    return en if language == "en" else vi
