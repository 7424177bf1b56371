import pytest

from bot.directory import DirectoryError, citizen_protection_hotline, load_directory

VALID = """
services:
  - id: xx-test
    country: VN
    type: citizen_protection
    names: {vi: Tên, en: Name}
    phones: [{number: "+84981848484", display: "+84 981 84 84 84"}]
    sources: [https://example.org/source]
    confidence: high
    verified: 2024-09-30
"""


def test_every_shipped_entry_loads_with_source_confidence_and_date():
    services = load_directory()
    assert services
    for service in services.values():
        assert service.sources and service.confidence and service.verified


def test_the_citizen_protection_hotline_is_24_7_and_high_confidence():
    hotline = citizen_protection_hotline()
    assert hotline.phones[0].number == "+84981848484"
    assert hotline.hours == "24/7"
    assert hotline.confidence.value == "high"


@pytest.mark.parametrize(
    "broken, complaint",
    [
        (VALID.replace("    sources: [https://example.org/source]\n", ""), "sources"),
        (VALID.replace("confidence: high", "confidence: sure"), "confidence"),
        (VALID.replace('"+84981848484"', '"call me"'), "phones"),
        (VALID.replace("verified: 2024-09-30", "verified: last year"), "verified"),
        (VALID.replace("country: VN", "country: Vietnam"), "country"),
    ],
)
def test_a_malformed_entry_is_rejected_naming_file_and_entry(tmp_path, broken, complaint):
    (tmp_path / "VN.yml").write_text(broken, encoding="utf-8")
    with pytest.raises(DirectoryError) as error:
        load_directory(tmp_path)
    message = str(error.value)
    assert "VN.yml" in message and "xx-test" in message and complaint in message


def test_broken_yaml_is_rejected_with_the_file_named(tmp_path):
    (tmp_path / "TW.yml").write_text("services: [unclosed", encoding="utf-8")
    with pytest.raises(DirectoryError, match="TW.yml"):
        load_directory(tmp_path)


def test_duplicate_ids_are_rejected(tmp_path):
    (tmp_path / "A.yml").write_text(VALID, encoding="utf-8")
    (tmp_path / "B.yml").write_text(VALID, encoding="utf-8")
    with pytest.raises(DirectoryError, match="duplicate"):
        load_directory(tmp_path)
