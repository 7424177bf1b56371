import yaml

from bot.replies.catalogue import catalogue, placeholders, render


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    for key, texts in catalogue().items():
        assert texts["vi"] and texts["en"], key
        assert placeholders(texts["vi"]) == placeholders(texts["en"]), key


def test_every_domain_response_has_a_vietnamese_default_and_an_english_variation():
    with open("domain.yml", encoding="utf-8") as file:
        responses = yaml.safe_load(file)["responses"]
    for name, variations in responses.items():
        defaults = [v for v in variations if "condition" not in v]
        english = [v for v in variations if v.get("condition") == [{"type": "slot", "name": "language", "value": "en"}]]
        assert defaults and english, name


def test_render_fills_the_placeholders():
    text = render("human_hotline", "en", hotline_name="X", hotline_phone="+84 1")
    assert text == "Please call X, open 24/7, Vietnamese spoken: +84 1"


def test_an_unknown_language_falls_back_to_vietnamese():
    assert render("human_hotline", "fr", hotline_name="X", hotline_phone="1").startswith("Bạn gọi")
