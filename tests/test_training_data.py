"""The training data is what the triage issue asks of it, and the held-out set stays unseen."""
import json
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot.understanding.intents import DANGER_INTENTS, INTENTS
from bot.understanding.text import fold, has_vietnamese_marks, words

ROOT = Path(__file__).resolve().parent.parent
NLU = ROOT / "data" / "nlu"
TEEN_CODE = {"ko", "k", "hok", "dc", "ng", "e", "mk", "bit", "j", "r", "vs", "ntn", "cx", "oy", "ak", "kh", "kg", "mik", "tui", "đc"}
MIN_SAFETY_PER_STYLE = 40
MIN_TEEN_CODE = 10


def examples():
    """(style, intent, text) for every example; style is the folder: vi, vi_unaccented, en."""
    found = []
    for path in sorted(NLU.glob("*/*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    found.append((path.parent.name, block["intent"], line.strip()[2:].strip()))
    return found


EXAMPLES = examples()


def test_every_file_is_nfc():
    for path in NLU.glob("*/*.yml"):
        text = path.read_text(encoding="utf-8")
        assert text == unicodedata.normalize("NFC", text), path


def test_every_intent_in_the_data_is_known_and_in_the_domain():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert {intent for _, intent, _ in EXAMPLES} == set(domain["intents"]) == set(INTENTS)


@pytest.mark.parametrize("intent", DANGER_INTENTS)
def test_each_safety_intent_has_enough_examples_in_each_way_of_writing(intent):
    count = defaultdict(int)
    teen = 0
    for style, name, text in EXAMPLES:
        if name != intent:
            continue
        if style == "vi":
            count["vi"] += has_vietnamese_marks(text)
        elif style == "vi_unaccented":
            count["vi_unaccented"] += not has_vietnamese_marks(text)
        else:
            count[style] += 1
        if style.startswith("vi") and set(words(text)) & {fold(t) for t in TEEN_CODE}:
            teen += 1
    for style in ("vi", "vi_unaccented", "en"):
        assert count[style] >= MIN_SAFETY_PER_STYLE, (intent, style, count[style])
    assert teen >= MIN_TEEN_CODE, (intent, teen)


def test_unaccented_files_have_no_marks():
    marked = [text for style, _, text in EXAMPLES if style == "vi_unaccented" and has_vietnamese_marks(text)]
    assert marked == []


def test_no_example_is_in_two_intents_once_folded():
    seen = defaultdict(set)
    for _, intent, text in EXAMPLES:
        seen[" ".join(words(text))].add(intent)
    assert {text: intents for text, intents in seen.items() if len(intents) > 1} == {}


NEAR_COPY = 0.6  # share of words in common (Jaccard) from which a training example counts as a copy
# Below this many words, only exact copies count: "tạm biệt ạ" is the language, not a leak.
NEAR_COPY_MIN_WORDS = 4


@pytest.mark.parametrize("heldout", sorted((ROOT / "eval").glob("*.jsonl")), ids=lambda path: path.name)
def test_no_held_out_set_is_trained_on_not_even_nearly(heldout):
    rows = [json.loads(line) for line in heldout.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 300
    held = [set(words(row["text"])) for row in rows]
    held_exact = {" ".join(words(row["text"])) for row in rows}
    near_copies = []
    for _, intent, text in EXAMPLES:
        tokens = set(words(text))
        if " ".join(words(text)) in held_exact:
            near_copies.append((intent, text))
        elif len(tokens) >= NEAR_COPY_MIN_WORDS and any(
            h and len(tokens & h) / len(tokens | h) >= NEAR_COPY for h in held
        ):
            near_copies.append((intent, text))
    assert near_copies == []
