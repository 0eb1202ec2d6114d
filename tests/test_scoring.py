import pytest
import yaml

from audits.checks.result import CheckStatus
from audits.registry import CheckKey
from audits.scoring import (
    EVIDENCE,
    NOT_SCORED,
    Evidence,
    combine,
    status_pairs,
    verdict,
    verdicts,
    worst,
)
from portal.seed.loader import DATA_DIR

P, W, F, E, NA, INFO = (
    CheckStatus.PASS,
    CheckStatus.WARN,
    CheckStatus.FAIL,
    CheckStatus.ERROR,
    CheckStatus.NOT_APPLICABLE,
    CheckStatus.INFO,
)
TWO = Evidence("x", "minimum", ("a", "b"))


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ({"a": P, "b": P}, "met"),
        ({"a": P, "b": W}, "partly"),
        ({"a": P, "b": F}, "not_met"),
        # A known failure decides, even when another check could not run.
        ({"a": F, "b": E}, "not_met"),
        ({"a": P, "b": E}, "unknown"),
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


def test_every_scored_criterion_exists_at_its_level():
    criteria = _seed_criteria()
    for evidence in EVIDENCE:
        criterion = criteria[evidence.criterion]
        assert criterion["level"] == evidence.level, evidence
        assert not criterion.get("retired"), evidence


def test_the_seed_does_not_map_checks_itself():
    # One mapping: audits/scoring.py. A `check:` in the seed would be a second one.
    assert all("check" not in item for item in _seed_criteria().values())


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([P, P, F], F),  # one failing MX host fails the check for the service
        ([P, E], E),  # one host that could not be checked leaves it open
        ([F, E], F),  # ... unless another host already failed
        ([P, W, NA], W),
        ([NA, INFO], INFO),
        ([], None),
    ],
)
def test_a_check_over_several_domains_counts_its_worst_status(statuses, expected):
    assert worst(statuses) == expected


def test_combine_takes_the_worst_status_per_check_over_all_domains():
    combined = combine([("dnssec", P), ("dnssec", F), ("dane", P), ("caa", NA), ("caa", P)])
    assert combined == {"dnssec": F, "dane": P, "caa": P}


def test_every_check_key_is_scored_or_deliberately_not():
    scored = {check for evidence in EVIDENCE for check in evidence.checks}
    assert scored | NOT_SCORED == set(CheckKey.values)
    assert not scored & NOT_SCORED


def test_a_good_audit_meets_everything():
    assert set(verdicts({key: P for key in CheckKey.values}).values()) == {"met"}


def test_the_registry_roles_are_the_domain_roles():
    from audits.registry import ROLES
    from providers.models import ServiceDomain

    assert set(ROLES) == set(ServiceDomain.Role.values)


def test_the_runner_plans_exactly_the_registrys_checks():
    from audits.net.config import NetConfig
    from audits.registry import BY_KEY
    from audits.runner import AuditTarget, plan_checks

    planned = plan_checks(AuditTarget("example.test"), (), "example.test", NetConfig())
    assert set(planned) == set(BY_KEY)


def test_the_criteria_app_sees_the_scoring_table():
    from criteria.automation import checks_for

    assert checks_for("dane") == ("dane",)
    assert checks_for("no-tls-errors") == ("tls_web", "tls_mail")
    assert checks_for("zero-access-at-rest") == ()


MTA_STS = next(e for e in EVIDENCE if e.criterion == "mta-sts-tls-rpt")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        # The MX lookup failed: "MTA-STS not applicable" was never really checked.
        ({"mx": E, "mta_sts": NA, "tls_rpt": P}, "unknown"),
        ({"mx": E, "mta_sts": P, "tls_rpt": P}, "unknown"),
        # A failure found anyway still decides.
        ({"mx": E, "mta_sts": F, "tls_rpt": P}, "not_met"),
        # A null MX (info) is an answer: the criterion follows TLS-RPT alone.
        ({"mx": INFO, "mta_sts": NA, "tls_rpt": P}, "met"),
    ],
)
def test_an_error_in_a_prerequisite_leaves_its_dependents_unknown(statuses, expected):
    assert verdict(MTA_STS, statuses) == expected


def test_caa_is_met_only_with_dane_as_its_criterion_says():
    # "A CAA Resource Record in addition to DANE support".
    assert verdicts({"caa": CheckStatus.PASS, "dane": CheckStatus.PASS})["caa"] == "met"
    assert verdicts({"caa": CheckStatus.PASS, "dane": CheckStatus.FAIL})["caa"] == "not_met"
    assert verdicts({"caa": CheckStatus.PASS})["caa"] == "unknown"


def test_tls_criteria_read_the_aspect_their_words_speak_of():
    # The MX accepts TLS 1.0 beside 1.2 (versions warn) with strong suites only; the web host's
    # certificate is broken. Overall both TLS checks fail ("no TLS errors" is not met), but the
    # suites criterion is met and the versions one only partly.
    results = [
        *status_pairs("tls_web", F, {"aspects": {"suites": "pass", "certificate": "fail"}}),
        *status_pairs("tls_mail", F, {"aspects": {"suites": "pass", "versions": "warn"}}),
        ("starttls", P),
    ]
    judged = verdicts(combine(results))
    assert judged["no-tls-errors"] == "not_met"
    assert judged["strong-cipher-suites"] == "met"
    assert judged["tls-1-2-rfc8996"] == "partly"


def test_results_without_aspects_fall_back_to_the_check_status():
    judged = verdicts(combine([("tls_web", F), ("tls_mail", P), ("starttls", P)]))
    assert judged["strong-cipher-suites"] == "not_met"
    assert judged["tls-1-2-rfc8996"] == "met"
