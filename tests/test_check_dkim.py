"""The `dkim` check against the local test network: which selectors it asks, and its verdict
over the key records found. Key-record syntax is tested without DNS in test_dkim_parser.py.
"""

from __future__ import annotations

from audits.checks.dkim import check_dkim
from audits.checks.result import CheckStatus
from audits.net.config import NetConfig
from audits.net.dns import DnsResolver


def test_key_sizes_and_algorithms_are_reported(config: NetConfig) -> None:
    result = check_dkim("good.test", DnsResolver(config), config, ("mail", "ed"))
    keys = {k["selector"]: k for k in result.details["keys"]}
    assert (keys["mail"]["algorithm"], keys["mail"]["bits"]) == ("rsa", 2048)
    assert keys["ed"]["algorithm"] == "ed25519"


def test_revoked_key_is_reported_as_revoked(config: NetConfig) -> None:
    result = check_dkim("broken.test", DnsResolver(config), config, ("mail",))
    (key,) = result.details["keys"]
    assert key["revoked"] is True
    assert "revoked" in str(result.summary)


def test_common_selectors_are_tried_without_configuration(config: NetConfig) -> None:
    # "mail" is one of the common selectors, so weak.test's key is found unasked.
    result = check_dkim("weak.test", DnsResolver(config), config)
    assert result.status is CheckStatus.WARN
    assert [k["bits"] for k in result.details["keys"]] == [1024]


def test_configured_selectors_come_from_netconfig_too(config: NetConfig) -> None:
    from dataclasses import replace

    with_ed = replace(config, dkim_selectors=("ed",))
    result = check_dkim("good.test", DnsResolver(with_ed), with_ed)
    assert "ed" in [k["selector"] for k in result.details["keys"]]


def test_missing_configured_selector_fails_and_unconfigured_absence_is_info(
    config: NetConfig,
) -> None:
    dns = DnsResolver(config)
    assert check_dkim("nowhere.good.test", dns, config, ("nope",)).status is CheckStatus.FAIL
    assert check_dkim("nowhere.good.test", dns, config).status is CheckStatus.INFO


def test_rfc6376_and_rfc8463_key_records_are_judged() -> None:
    from audits.checks.dkim import judge_key

    # RFC 8463 appendix A.2: the Ed25519 key record of the example.
    ed = judge_key("brisbane", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
    assert (ed.status, ed.algorithm) == (CheckStatus.PASS, "ed25519")
    revoked = judge_key("old", "v=DKIM1; p=")
    assert revoked.revoked and revoked.status is CheckStatus.FAIL
    assert judge_key("x", "v=DKIM1; p=not*base64").status is CheckStatus.FAIL


def test_a_key_with_whitespace_inside_its_base64_passes(config: NetConfig) -> None:
    result = check_dkim("edge.test", DnsResolver(config), config, ("folded",))
    assert result.status is CheckStatus.PASS, result.as_dict()
    (key,) = result.details["keys"]
    assert (key["algorithm"], key["bits"]) == ("ed25519", 256)


def test_a_key_in_testing_mode_warns(config: NetConfig) -> None:
    result = check_dkim("edge.test", DnsResolver(config), config, ("testing",))
    assert result.status is CheckStatus.WARN
    (key,) = result.details["keys"]
    assert key["testing"] is True
    assert "t=y" in key["problem"]
    assert "testing" in str(result.summary)


def test_a_key_not_for_the_email_service_is_unusable(config: NetConfig) -> None:
    result = check_dkim("edge.test", DnsResolver(config), config, ("web",))
    assert result.status is CheckStatus.FAIL
    (key,) = result.details["keys"]
    assert "s=" in key["problem"]


def test_a_key_record_with_a_duplicate_tag_is_invalid(config: NetConfig) -> None:
    result = check_dkim("edge.test", DnsResolver(config), config, ("twice",))
    assert result.status is CheckStatus.FAIL
    (key,) = result.details["keys"]
    assert key["status"] == "fail" and "twice" in key["problem"]
    assert key["revoked"] is False
