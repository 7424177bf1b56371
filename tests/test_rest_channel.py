"""The REST channel's parser: every bad body is a 4xx with a reason, never a crash."""
import json

import pytest
from hypothesis import given, settings, strategies as st

from channels.core import MAX_BODY_BYTES, MAX_TEXT_CHARS, InputRejected
from channels.rest import parse_rest_body


def body(**fields) -> bytes:
    return json.dumps(fields).encode("utf-8")


def test_a_valid_message_is_normalised_to_nfc():
    parsed = parse_rest_body(body(sender="a", message="cho\u0300 em"))
    assert parsed == {"sender": "a", "message": "chò em", "metadata": None}


def test_the_slash_is_kept_as_written_for_the_transcript():
    assert parse_rest_body(body(sender="a", message="/restart"))["message"] == "/restart"


@pytest.mark.parametrize(
    "raw, status",
    [
        (b"{not json", 400),
        (b"\xff\xfe\x00garbage", 400),
        (b"[1, 2]", 400),
        (body(sender="a"), 400),
        (body(sender="a", message=""), 400),
        (body(sender="a", message="   "), 400),
        (body(sender="a", message=42), 400),
        (body(sender="", message="hi"), 400),
        (body(sender=["a"], message="hi"), 400),
        (body(sender="a" * 500, message="hi"), 400),
        (body(sender="a", message="hi", metadata="x"), 400),
        (body(sender="a", message="x" * (MAX_TEXT_CHARS + 1)), 413),
        (b" " * (MAX_BODY_BYTES + 1), 413),
    ],
)
def test_bad_bodies_are_rejected_with_a_client_error(raw, status):
    with pytest.raises(InputRejected) as rejected:
        parse_rest_body(raw)
    assert rejected.value.status == status
    assert rejected.value.reason


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=2000), json_values.map(lambda v: json.dumps(v).encode())))
def test_no_body_crashes_the_parser(raw):
    try:
        parsed = parse_rest_body(raw)
    except InputRejected as rejected:
        assert 400 <= rejected.status < 500
    else:
        assert isinstance(parsed["message"], str) and parsed["message"]
