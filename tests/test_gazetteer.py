import pycountry
import pytest

from bot.understanding.gazetteer import country_name, country_of, find_countries, find_occupations
from bot.understanding.places_hand import HAND_PLACES, SHORT_FORMS
from bot.understanding.places_index import HAND_COUNTRY, HAND_PLACE, all_names, build, key_of, place_index
from bot.understanding.places_sources import country_titles


def codes(text):
    return [mention.value for mention in find_countries(text)]


@pytest.mark.parametrize(
    "text, country",
    [
        ("Em đang ở Đài Loan", "TW"), ("e o dai loan", "TW"), ("em qua DL dc 2 nam", "TW"), ("bên Đài", "TW"),
        ("Taipei", "TW"), ("em làm ở Cao Hùng", "TW"), ("I work in Taiwan", "TW"),
        ("em ở Hàn", "KR"), ("HQ", "KR"), ("Hàn Quốc", "KR"), ("Seoul", "KR"), ("in korea", "KR"),
        ("Nhật", None), ("ở Nhật", "JP"), ("Nhật Bản", "JP"), ("Osaka", "JP"), ("japan", "JP"),
        ("Ả Rập Xê Út", "SA"), ("a rap", "SA"), ("saudi", "SA"), ("Riyadh", "SA"),
        ("Malay", "MY"), ("Mã Lai", "MY"), ("Kuala Lumpur", "MY"),
        ("Dubai", "AE"), ("UAE", "AE"), ("Tiểu vương quốc Ả Rập Thống nhất", "AE"),
        ("Singapore", "SG"), ("Thái Lan", "TH"), ("Trung Quốc", "CN"), ("ở Đức", "DE"), ("Romania", "RO"),
        ("Qatar", "QA"), ("Doha", "QA"), ("Kuwait", "KW"),
    ],
)
def test_countries_cities_and_short_forms_become_iso_codes(text, country):
    assert country_of(text) == country


@pytest.mark.parametrize(
    "text, country",
    [
        # Poland, Russia, Cambodia, Myanmar, Laos, Jordan, Israel, Mauritius: by Vietnamese and English
        # names, with and without marks.
        ("em đang làm ở Ba Lan", "PL"), ("e o ba lan 2 nam roi", "PL"), ("công ty Ba Lan nợ lương em", "PL"),
        ("I work in Poland", "PL"),
        ("chồng em sang Nga làm xây dựng", "RU"), ("e dang o nga", "RU"), ("Liên bang Nga", "RU"), ("in Russia", "RU"),
        ("em bị bán sang Campuchia", "KH"), ("bi ban sang cpc", "KH"), ("they took us to Cambodia", "KH"),
        ("em bị đưa sang Myanmar", "MM"), ("Mi-an-ma", "MM"), ("mien dien", "MM"),
        ("em đang ở Lào", "LA"), ("e o lao", "LA"), ("Laos", "LA"),
        ("em làm may ở Jordan", "JO"), ("i am in jordan", "JO"), ("Gioóc-đa-ni", "JO"),
        ("Israel", "IL"), ("em ở Ít-xra-en", "IL"), ("Mauritius", "MU"), ("em ở Mô-ri-xơ", "MU"),
        ("em đi Tây Ban Nha", "ES"), ("em ở Thổ Nhĩ Kỳ", "TR"), ("em làm ở nước Áo", "AT"),
        ("Việt Nam", "VN"), ("em ở vn", "VN"),
    ],
)
def test_every_country_by_its_vietnamese_and_english_names(text, country):
    assert country_of(text) == country


@pytest.mark.parametrize("country", [country.alpha_2 for country in pycountry.countries])
def test_each_iso_country_is_found_by_its_short_names(country):
    titles = country_titles(country)
    assert titles is not None
    vietnamese, english = titles
    # Some short names are ambiguous ("Congo", "Virgin Islands") or everyday words ("Áo", "Bỉ").
    ambiguous = {"CD", "VG", "VI", "DO", "AT", "BE"}
    if country not in ambiguous:
        assert country_of(f"em ở {english}") == country
        assert country_of(f"em ở {vietnamese}") == country


@pytest.mark.parametrize(
    "text, country",
    [
        ("em ở Gdańsk", "PL"), ("e lam o gdansk", "PL"), ("Lublin", "PL"), ("Novosibirsk", "RU"),
        ("em làm ở Irbid", "JO"), ("Amman", "JO"), ("in Port Louis", "MU"), ("Tel Aviv", "IL"),
        ("Jeddah", "SA"), ("Johor Bahru", "MY"), ("Kaohsiung", "TW"),
        # Vietnam's own cities are Vietnam.
        ("em ở Hà Nội", "VN"), ("o da nang", "VN"), ("em ở Vinh", "VN"), ("em ở Huế", "VN"),
        ("quê em ở Thanh Hóa", "VN"), ("tp hcm", "VN"),
        # One name, several cities: the most populous.
        ("em ở Tripoli", "LY"),
    ],
)
def test_cities_of_the_data_set_name_their_country(text, country):
    assert country_of(text) == country


@pytest.mark.parametrize(
    "text, country",
    [
        ("Kings Romans", "LA"), ("đặc khu Tam Giác Vàng", "LA"), ("em bị giữ ở KK Park", "MM"), ("Shwe Kokko", "MM"),
        ("Myawaddy", "MM"), ("Sihanoukville", "KH"), ("bavet", "KH"), ("Poipet", "KH"),
        ("tàu cá ở cảng Nanfang'ao", "TW"), ("Nanfangao", "TW"), ("em ở Đài Trung", "TW"), ("Đài Bắc", "TW"),
    ],
)
def test_compounds_ports_and_vietnamese_names_of_the_hand_list(text, country):
    assert country_of(text) == country


@pytest.mark.parametrize(
    "text",
    [
        "visa của em quá hạn rồi", "đến hạn trả nợ", "cái này tốt nhất", "em có thai 3 tháng",
        "em xuống bếp", "sing me a song", "thợ hàn", "con đường dài", "em tên Đức",
        "dài quá", "chị Nga ơi cứu em", "dì Nga bảo em đi", "van xin anh", "mau lên", "em ở văn phòng công ty",
        "đi lao động", "tiền ăn ở bị trừ hết", "tien an o bi tru", "I am in my room", "I want to go home",
        "phí gì vậy chị", "tình dục", "bi quay roi tinh duc", "mà lại không trả lương", "ma lai khong tra luong",
        "cơ quan có thẩm quyền", "em vẫn làm", "em van lam o day", "em gọi ba lần rồi không ai nghe",
        "haha", "e lam osin", "they will throw me in the river", "report to police", "k ai giúp em",
        "nhà mình trồng hoa lan", "em mong có việc làm", "bị đuổi do thai 5 tháng", "đi ăn đồ nướng",
        "ai cấp visa cho em", "bên anh", "triệu tiền", "thuê hai phòng", "đi ăn", "em đi y tế",
        "củ, ba quả", "nước ao bẩn quá",
    ],
)
def test_common_words_that_fold_like_place_names_are_not_places(text):
    assert country_of(text) is None


def test_a_city_never_overrides_the_country_she_names():
    assert codes("em ở Jeddah, Ả Rập Xê Út") == ["SA", "SA"]
    # Tripoli is most populous in Libya, but with Lebanon named it is Lebanon's.
    assert codes("Tripoli, Lebanon") == ["LB", "LB"]
    # A city elsewhere than the country named is left out, wherever it stands.
    assert codes("em ở Đài Loan, trước làm ở Osaka") == ["TW"]
    assert codes("trước làm ở Osaka, giờ em ở Đài Loan") == ["TW"]
    assert codes("em ở Hàn Quốc, Seoul") == ["KR", "KR"]


def test_vietnam_beside_a_foreign_place_is_where_she_came_from():
    assert country_of("từ Việt Nam sang Đài Loan") == "TW"
    assert country_of("quê em ở Hà Nội, giờ làm ở Riyadh") == "SA"
    assert country_of("em đang ở Việt Nam") == "VN"


def test_marks_tell_a_name_from_the_word_it_folds_like():
    # Written with marks elsewhere, a short name must carry its own: "đi nhất" is not Japan.
    assert country_of("đi nhất") is None and country_of("đi Nhật") == "JP"
    # A country's longer name spelt as it is counts anywhere in a message written with marks.
    assert country_of("Công ty Ba Lan") == "PL" and country_of("công ty ba lần") is None
    assert country_of("chị Nam Dương") is None and country_of("Indonesia") == "ID"


def test_a_name_does_not_run_over_punctuation():
    assert codes("Đài Loan, Cao Hùng") == ["TW", "TW"]
    assert codes("ở đây, nga") == []


def test_the_span_points_at_the_words_as_written():
    text = "chủ em ở Đài Bắc giữ hộ chiếu"
    [mention] = find_countries(text)
    assert text[mention.start:mention.end] == "Đài Bắc"
    text = "em bị bán từ Myawaddy sang Campuchia"
    spans = [text[m.start:m.end] for m in find_countries(text)]
    assert spans == ["Campuchia"]


def test_country_names_for_replies():
    assert country_name("TW", "vi") == "Đài Loan" and country_name("TW", "en") == "Taiwan"
    assert country_name("PL", "vi") == "Ba Lan" and country_name("JO", "en") == "Jordan"
    assert country_name("ZW", "en") == "Zimbabwe" and country_name("ZW", "vi") == "Xim-ba-bu-ê"
    assert country_name(None, "vi") == "" and country_name("XX", "en") == "XX"


def test_the_index_is_built_once():
    assert place_index() is place_index()


def test_no_hand_entry_merely_repeats_the_data_sets():
    from_data = build(entry for entry in all_names() if entry[0].rank not in (HAND_COUNTRY, HAND_PLACE)).phrases
    for table in (SHORT_FORMS, HAND_PLACES):
        for code, entries in table.items():
            for entry in entries:
                mine, theirs = place_index().phrases[key_of(entry.lstrip("~"))], from_data.get(key_of(entry.lstrip("~")))
                repeats = (
                    theirs is not None and theirs.values[0] == mine.values[0] and theirs.city == mine.city
                    and theirs.needs_context == mine.needs_context
                )
                assert not repeats, f"{code}: {entry!r} is in the data sets already"


def test_no_hand_name_stands_for_two_countries():
    seen: dict = {}
    for table in (SHORT_FORMS, HAND_PLACES):
        for code, entries in table.items():
            for entry in entries:
                assert seen.setdefault(key_of(entry.lstrip("~")), code) == code, entry


@pytest.mark.parametrize(
    "text, occupation",
    [
        ("em làm giúp việc nhà", "domestic_worker"), ("e lam osin", "domestic_worker"), ("I am a maid", "domestic_worker"),
        ("chăm sóc người già", "caregiver"), ("khán hộ công", "caregiver"), ("em làm nhà máy", "factory"),
        ("tàu cá", "fishing"), ("thực tập sinh", "technical_intern"), ("tts", "technical_intern"),
        ("công trường xây dựng", "construction"), ("trang trại", "agriculture"),
    ],
)
def test_occupations(text, occupation):
    assert [m.value for m in find_occupations(text)][:1] == [occupation]
