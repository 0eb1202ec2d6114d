"""The `dkim` check against the local test network: every testnet domain gives the status that
tests/testnet/zones.py expects, and no domain (the broken ones included) makes it crash or hang.
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
