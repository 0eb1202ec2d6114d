import os
import subprocess
import sys
from pathlib import Path

import pytest

from audits.net.config import ConfigError, NetConfig
from audits.registry import time_bound

ROOT = Path(__file__).resolve().parent.parent


def test_config_reads_every_audit_variable(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    config = NetConfig.from_env(
        {
            "AUDIT_NAMESERVERS": "127.53.0.1:5300,[::1]:53,192.0.2.1,2001:db8::53",
            "AUDIT_TIMEOUT": "2.5",
            "AUDIT_ALLOW_PRIVATE_NETWORKS": "true",
            "AUDIT_PORT_OVERRIDES": "443=8443,25=2525",
            "AUDIT_CA_BUNDLE": str(bundle),
            "AUDIT_DKIM_SELECTORS": "mail, ed",
            "AUDIT_CHECK_TIMEOUT": "12",
            "AUDIT_TLS_SCAN_TIMEOUT": "90",
        }
    )
    assert (config.check_timeout, config.tls_scan_timeout) == (12.0, 90.0)
    # The full TLS scans get their own bound; everything else the common one.
    assert time_bound("tls_mail", config) == time_bound("tls_web", config) == 90.0
    assert time_bound("starttls", config) == time_bound("dnssec", config) == 12.0
    assert config.nameservers == (
        ("127.53.0.1", 5300),
        ("::1", 53),
        ("192.0.2.1", 53),
        ("2001:db8::53", 53),
    )
    assert config.timeout == 2.5
    assert config.allow_private_networks is True
    assert (config.port(443), config.port(25), config.port(587)) == (8443, 2525, 587)
    assert config.ca_bundle == str(bundle)
    assert config.dkim_selectors == ("mail", "ed")


def test_defaults_are_safe():
    config = NetConfig.from_env({})
    assert config.allow_private_networks is False
    assert config.port(443) == 443


@pytest.mark.parametrize("raw", ["443:8443", "https=8443", "443="])
def test_malformed_port_overrides_are_refused(raw):
    with pytest.raises(ConfigError, match="AUDIT_PORT_OVERRIDES"):
        NetConfig.from_env({"AUDIT_PORT_OVERRIDES": raw})


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("AUDIT_NAMESERVERS", "resolver.example.org"),
        ("AUDIT_NAMESERVERS", "127.0.0.1:dns"),
        ("AUDIT_NAMESERVERS", "127.0.0.1:70000"),
        ("AUDIT_NAMESERVERS", "[::1"),
        ("AUDIT_TIMEOUT", "soon"),
        ("AUDIT_TIMEOUT", "0"),
        ("AUDIT_TIMEOUT", "nan"),
        ("AUDIT_CHECK_TIMEOUT", "-5"),
        ("AUDIT_TLS_SCAN_TIMEOUT", "inf"),
        ("AUDIT_ALLOW_PRIVATE_NETWORKS", "ture"),
        ("AUDIT_PORT_OVERRIDES", "443=0"),
        ("AUDIT_CA_BUNDLE", "/nonexistent/ca.pem"),
        ("AUDIT_DKIM_SELECTORS", "s1,s_2"),
        ("AUDIT_MAX_HTTP_BYTES", "1MB"),
    ],
)
def test_a_malformed_setting_is_an_error_naming_the_variable(name, raw):
    with pytest.raises(ConfigError, match=f"^{name} is malformed: "):
        NetConfig.from_env({name: raw})


def test_the_audit_command_reports_a_malformed_setting_without_a_traceback():
    result = subprocess.run(
        [sys.executable, "manage.py", "audit", "example.org"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "AUDIT_NAMESERVERS": "resolver.example.org:53"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "AUDIT_NAMESERVERS is malformed" in result.stderr
    assert "Traceback" not in result.stderr
