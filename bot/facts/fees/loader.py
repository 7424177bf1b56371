"""Load the fee rules from facts/fees/*.yml and refuse to start on any malformed rule.

A wrong cap told to a worker is worse than a checker that refuses to start, so every problem
stops loading with the file and the rule named. Each file is a mapping::

    x-anything: ...          # ignored: a place for YAML anchors (&law ...) shared by the rules
    rules:
      - id: service-fee-general-cap
        ...                  # see bot.facts.fees.models.FeeRule
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, Mapping, Optional

from bot.facts.fees.models import FeeRule
from bot.facts.loading import parse_entry, read_yaml
from bot.runtime.paths import FACTS_DIR

FEES_DIR = FACTS_DIR / "fees"

#: Rules the checker and the replies name directly: loading fails if one is missing.
REQUIRED_RULES = (
    "service-fee-general-cap",
    "service-fee-sea-transport-crew",
    "service-fee-extension-cap",
    "jp-other-categories-general-cap",
    "no-brokerage-fee",
    "no-selection-fee",
    "training-fees-lawful-only",
    "contract-lists-all-costs",
    "deposit-rules",
    "fund-contribution",
    "service-fee-refund-early-return",
    "deposit-refund-cases",
    "licence-check-dolab",
    "complain-dolab",
    "no-deposit-markets",
    "tw-broker-monthly-fee",
)


class FeeRulesError(Exception):
    """The fee rules cannot be trusted: a file or a rule is malformed."""


class RuleBook(Mapping[str, FeeRule]):
    """The loaded rules by id, in file order (files sorted by name)."""

    def __init__(self, rules: Dict[str, FeeRule], files: Dict[str, str]):
        self._rules = rules
        self._files = files

    def __getitem__(self, rule_id: str) -> FeeRule:
        return self._rules[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def file_of(self, rule_id: str) -> str:
        return self._files[rule_id]


def _rules_in(path: Path) -> list:
    name = path.name
    data = read_yaml(path, FeeRulesError, name)
    if not isinstance(data, dict):
        raise FeeRulesError(f"{name}: expected a mapping with a 'rules' list")
    unknown = [key for key in data if key != "rules" and not str(key).startswith("x-")]
    if unknown:
        raise FeeRulesError(
            f"{name}: unknown top-level key(s) {', '.join(map(str, unknown))} "
            "(only 'rules', and 'x-...' for YAML anchors)"
        )
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise FeeRulesError(f"{name}: 'rules' must be a non-empty list")
    return rules


def load_rules(directory: Optional[Path] = None) -> RuleBook:
    """Every rule in ``directory`` (default facts/fees/); FeeRulesError naming file and rule."""
    directory = Path(directory) if directory is not None else FEES_DIR
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise FeeRulesError(f"no fee rules: {directory} has no .yml files")
    rules: Dict[str, FeeRule] = {}
    origin: Dict[str, str] = {}
    for path in files:
        for position, raw in enumerate(_rules_in(path), start=1):
            label = raw.get("id") if isinstance(raw, dict) else None
            where = f"{path.name}: rule {label!r}" if label else f"{path.name}: rule #{position}"
            if not isinstance(raw, dict):
                raise FeeRulesError(f"{where}: expected a mapping")
            rule = parse_entry(FeeRule, raw, where, FeeRulesError)
            if rule.id in rules:
                raise FeeRulesError(
                    f"{where}: duplicate id, already defined in {origin[rule.id]}"
                )
            rules[rule.id] = rule
            origin[rule.id] = path.name
    missing = [rule_id for rule_id in REQUIRED_RULES if rule_id not in rules]
    if missing and directory == FEES_DIR:
        raise FeeRulesError(f"{directory.name}: missing rule(s) the checker needs: {', '.join(missing)}")
    return RuleBook(rules, origin)


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    """The shipped rules, loaded once per process."""
    return load_rules(FEES_DIR)
