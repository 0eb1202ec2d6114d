import pytest
import yaml

from audits.checks.result import CheckStatus
from audits.scoring import EVIDENCE, NOT_SCORED, Evidence, verdict, verdicts
from criteria.check_keys import CheckKey
from portal.seed.loader import DATA_DIR

P, W, F, E, NA = (
    CheckStatus.PASS,
    CheckStatus.WARN,
    CheckStatus.FAIL,
    CheckStatus.ERROR,
    CheckStatus.NOT_APPLICABLE,
)
TWO = Evidence("x", "minimum", ("a", "b"))


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({"a": P, "b": P}, "met"),
        ({"a": P, "b": W}, "partly"),
        ({"a": P, "b": F}, "not_met"),
        ({"a": F, "b": E}, "unknown"),
        ({"a": P}, "unknown"),
        ({"a": NA, "b": NA}, "unknown"),
        ({"a": NA, "b": P}, "met"),
    ],
)
def test_verdict_from_check_statuses(statuses, expected):
    assert verdict(TWO, statuses) == expected


def _seed_criteria() -> dict[str, dict]:
    found: dict[str, dict] = {}

    def walk(items, level=None):
        for item in items:
            item_level = item.get("level", level)
            found[item["key"]] = {**item, "level": item_level}
            walk(item.get("children", []), item_level)

    for group in yaml.safe_load((DATA_DIR / "criteria.yaml").read_text())["groups"]:
        walk(group["criteria"])
    return found


def test_every_scored_criterion_exists_at_its_level_and_names_its_check():
    criteria = _seed_criteria()
    for evidence in EVIDENCE:
        criterion = criteria[evidence.criterion]
        assert criterion["level"] == evidence.level, evidence
        assert criterion["check"] in evidence.checks, evidence


def test_every_check_key_is_scored_or_deliberately_not():
    scored = {check for evidence in EVIDENCE for check in evidence.checks}
    assert scored | NOT_SCORED == set(CheckKey.values)
    assert not scored & NOT_SCORED


def test_a_good_audit_meets_everything():
    assert set(verdicts({key: P for key in CheckKey.values}).values()) == {"met"}
