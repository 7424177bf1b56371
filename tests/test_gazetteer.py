import pytest

from bot.understanding.gazetteer import country_of, find_countries, find_occupations


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
    "text",
    [
        "visa của em quá hạn rồi", "đến hạn trả nợ", "cái này tốt nhất", "em có thai 3 tháng",
        "em xuống bếp", "sing me a song", "thợ hàn", "con đường dài", "em tên Đức",
    ],
)
def test_common_words_that_fold_like_place_names_are_not_places(text):
    assert country_of(text) is None


def test_the_span_points_at_the_words_as_written():
    text = "chủ em ở Đài Bắc giữ hộ chiếu"
    [mention] = find_countries(text)
    assert text[mention.start:mention.end] == "Đài Bắc"


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
