"""Second opinions: our verdicts beside those of independent tools, on the local test network.

Run (root only for the one-time install):

    bash .ci/install-testnet.sh        # knot, unbound, ldnsutils, gnupg, bind9-dnsutils, testssl.sh
    DEBUG=true .venv/bin/python bench/bench_peers.py [--fast] [--check KEY ...]

Each peer below judges a check of ours with its own code, offline, against the test network's
servers (tests/testnet/zones.py: every domain that expects a result for that check):

- dnssec: BIND's `delv` validates the answers itself, from the DS records Unbound trusts, asking
  Unbound with CD set (so Unbound's own AD flag, which our check reads, plays no part).
- dane: the TLSA records as `delv` validated them, matched by OpenSSL's DANE verifier
  (`openssl s_client -starttls smtp -dane_tlsa_rrdata ... -dane_ee_no_namechecks`, RFC 7672).
- starttls: `openssl s_client -starttls smtp` with OpenSSL's default (TLS 1.2+) client.
- smtps_submission: `openssl s_client` on the implicit-TLS port: the criterion's word is SMTPS
  (implicit TLS, RFC 8314); endpoints from the given host, SRV records (`kdig`), or smtp./mail.
- tls_web, tls_mail: `testssl.sh`, which the criterion names ("when being profiled by tools such
  as ... testssl.sh"), overall and per aspect (versions, suites incl. the server's cipher order,
  DH groups, certificate).
- hsts: curl's own HSTS cache (`--hsts`): what curl parsed from the header and stored.
- https_redirect: curl, hop by hop.
- csp, sri: Debian's chromium through Playwright: whether the browser's CSP engine blocks an
  inline script, and the scripts/stylesheets its HTML parser found, with their integrity.
- wkd: `gpg-wks-client --print-wkd-url` for the URL, curl to fetch it, `gpg --show-keys` to read
  the key's user IDs.

Not compared here: spf, dmarc, mta_sts, tls_rpt (bench/bench_checkdmarc.py compares them with
checkdmarc); dkim, caa, mx (no independent tool that judges them is installed).

Printed: a table check | domain | ours | peer, then each disagreement with who is right and why.
"""

from __future__ import annotations

import argparse
import datetime
import faulthandler
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from publicsuffixlist import PublicSuffixList  # noqa: E402

from audits.checks.result import CheckResult  # noqa: E402
from audits.net.config import NetConfig  # noqa: E402
from audits.runner import plan_checks  # noqa: E402
from tests.netutil import audit_target  # noqa: E402
from tests.testnet import network  # noqa: E402
from tests.testnet.zones import DOMAINS, PORT_OVERRIDES, Domain  # noqa: E402

WATCHDOG_SECONDS = 1500
TOOL_TIMEOUT = 15.0  # one openssl/curl/delv call; the tarpit must cost no more than this
TESTSSL_TIMEOUT = 400.0
GPG_WKS_CLIENT = shutil.which("gpg-wks-client") or "/usr/lib/gnupg/gpg-wks-client"
CHROMIUM = os.environ.get("MAILVET_CHROMIUM", "/usr/bin/chromium")
HSTS_MIN_SECONDS = 15552000  # the threshold our hsts check uses, applied to curl's stored expiry
# Findings testssl.sh reports about the test network itself, not about a server's TLS setup.
TESTSSL_ARTIFACTS = {
    # The test CA writes no CRL/OCSP URLs; a publicly trusted certificate always has one (CA/B
    # Baseline Requirements 7.1.2), so this can only ever show up here.
    "cert_revocation": "the test CA issues certificates without CRL/OCSP URLs",
    "engine_problem": "a note about Debian's openssl build, not about the server",
}

Verdict = str  # ok / partial / problem / error / n/a; a peer's "-": it cannot judge this case
OURS = {
    "pass": "ok",
    "info": "ok",
    "warn": "partial",
    "fail": "problem",
    "error": "error",
    "not_applicable": "n/a",
}


@dataclass
class Peer:
    verdict: Verdict
    evidence: str
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Row:
    check: str
    domain: str
    ours: Verdict
    ours_summary: str
    peer: Peer
    tool: str
    ours_details: dict[str, Any] = field(default_factory=dict)

    @property
    def judged(self) -> bool:
        return self.peer.verdict != "-"

    @property
    def agree(self) -> bool:
        return self.ours == self.peer.verdict


class Net:
    """What the peers need of the running network: its resolver, ports, CA and trust anchors."""

    def __init__(self, net: network.Testnet, work: Path) -> None:
        self.net = net
        self.work = work
        self.resolver, self.resolver_port = net.nameserver
        self.ca = str(net.ca_bundle)
        self.anchors = _anchor_zones(net.instance.path("unbound.conf"), work / "anchors.conf")

    def run(
        self, args: list[str], timeout: float = TOOL_TIMEOUT, stdin: str = ""
    ) -> tuple[int, str]:
        try:
            # The tools and arguments are this script's own; no shell, nothing from outside.
            done = subprocess.run(
                args, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return -1, f"timed out after {timeout:.0f} s"
        return done.returncode, done.stdout + done.stderr

    def kdig(self, name: str, rtype: str, *flags: str) -> str:
        server = f"@{self.resolver}"
        _, out = self.run(["kdig", server, "-p", str(self.resolver_port), *flags, name, rtype])
        return out

    def addresses(self, name: str) -> list[str]:
        out = self.kdig(name, "A", "+short")
        return [line for line in out.split() if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", line)]

    def rcode(self, name: str, rtype: str) -> str:
        found = re.search(r"status: (\w+)", self.kdig(name, rtype))
        return found.group(1) if found else "NO ANSWER"

    def port(self, standard: int) -> int:
        return PORT_OVERRIDES.get(standard, standard)

    def anchor_for(self, name: str) -> str | None:
        """The trust anchor (a zone Unbound trusts by DS) that `name` is under, if any."""
        name = name.rstrip(".").lower()
        covering = [z for z in self.anchors if name == z or name.endswith("." + z)]
        return max(covering, key=len) if covering else None


def _anchor_zones(unbound_conf: Path, out: Path) -> list[str]:
    """Unbound's `trust-anchor:` DS lines rewritten as delv's `trust-anchors { static-ds }`."""
    lines, zones = ["trust-anchors {"], []
    pattern = r'trust-anchor: "(\S+)\. DS (\d+) (\d+) (\d+) (\w+)"'
    for m in re.finditer(pattern, unbound_conf.read_text()):
        lines.append(f'  {m[1]}. static-ds {m[2]} {m[3]} {m[4]} "{m[5]}";')
        zones.append(m[1].lower())
    out.write_text("\n".join([*lines, "};"]) + "\n")
    return sorted(set(zones))


# -- dnssec and dane: delv ------------------------------------------------------------------------


def delv(ctx: Net, name: str, rtype: str) -> tuple[str, str]:
    """(secure / insecure / bogus / error, evidence) for one RRset, validated by delv."""
    anchor = ctx.anchor_for(name)
    if anchor is None:
        signed = "RRSIG" in ctx.kdig(name, rtype, "+dnssec", "+cd")
        why = "signed, but no trust anchor above it" if signed else "no RRSIG: unsigned"
        return "insecure", f"{name} {rtype}: no trust anchor covers it ({why})"
    args = ["delv", f"@{ctx.resolver}", "-p", str(ctx.resolver_port), "-a"]
    args += [str(ctx.work / "anchors.conf"), f"+root={anchor}", name, rtype]
    code, out = ctx.run(args)
    first = out.strip().splitlines()[0] if out.strip() else f"exit {code}"
    if "fully validated" in out:
        return "secure", f"{name} {rtype}: delv: {first}"
    if "unsigned answer" in out:
        return "insecure", f"{name} {rtype}: delv: {first}"
    if "resolution failed" in out and "RRSIG" in ctx.kdig(name, rtype, "+dnssec", "+cd"):
        return "bogus", f"{name} {rtype}: delv: {first}; the data is there with CD"
    return "error", f"{name} {rtype}: delv: {first}"


def peer_dnssec(ctx: Net, domain: Domain) -> Peer:
    found = [delv(ctx, domain.name, "SOA"), *(delv(ctx, h, "A") for h in domain.mx)]
    states = {state for state, _ in found}
    verdict = (
        "problem" if states & {"bogus", "insecure"} else "error" if "error" in states else "ok"
    )
    return Peer(verdict, "; ".join(evidence for _, evidence in found))


def _tlsa(ctx: Net, host: str) -> tuple[str, list[str], str]:
    """(state, TLSA rdata, evidence) of _25._tcp.<host> as delv validated it."""
    state, evidence = delv(ctx, f"_25._tcp.{host}", "TLSA")
    if state != "secure":
        return state, [], evidence
    args = ["delv", f"@{ctx.resolver}", "-p", str(ctx.resolver_port), "-a"]
    args += [str(ctx.work / "anchors.conf"), f"+root={ctx.anchor_for(host)}", "+short"]
    _, out = ctx.run([*args, f"_25._tcp.{host}", "TLSA"])
    records = [" ".join(line.split()) for line in out.splitlines() if re.match(r"^\d \d \d ", line)]
    return state, records, evidence


def peer_dane(ctx: Net, domain: Domain) -> Peer:
    if not domain.mx:
        return Peer("n/a", "no MX hosts")
    verdicts, evidence = [], []
    for host in domain.mx:
        state, records, seen = _tlsa(ctx, host)
        if state != "secure" or not records:
            verdicts.append("error" if state == "error" else "problem")
            evidence.append(seen if state != "secure" else f"{host}: no TLSA records")
            continue
        addresses = ctx.addresses(host)
        if not addresses:
            verdicts.append("error")
            evidence.append(f"{host}: no address")
            continue
        args = ["openssl", "s_client", "-brief", "-starttls", "smtp", "-servername", host]
        args += ["-connect", f"{addresses[0]}:{ctx.port(25)}", "-dane_tlsa_domain", host]
        args += ["-dane_ee_no_namechecks"]
        for record in records:
            args += ["-dane_tlsa_rrdata", record]
        _, out = ctx.run(args, stdin="QUIT\r\n")
        matched = re.search(r"DANE TLSA .* matched .*", out)
        if matched and "Verification: OK" in out:
            verdicts.append("ok")
            evidence.append(f"{host}: openssl: {matched.group(0)}")
        elif "CONNECTION ESTABLISHED" in out or "Verification error" in out:
            error = re.search(r"Verification error: (.*)", out)
            verdicts.append("problem")
            evidence.append(
                f"{host}: openssl: no TLSA match ({error.group(1) if error else out[-80:]})"
            )
        else:
            verdicts.append("error")
            evidence.append(f"{host}: openssl could not connect: {_last_line(out)}")
    return Peer(_worst(verdicts), "; ".join(evidence))


# -- starttls and smtps: openssl s_client ---------------------------------------------------------


def tls_probe(ctx: Net, host: str, port: int, starttls: bool) -> tuple[str, str]:
    """(TLS version negotiated, or "" / "no-starttls" / "error:...", openssl's last words)."""
    addresses = ctx.addresses(host)
    if not addresses:
        return "error:no address", f"{host} has no address"
    args = ["openssl", "s_client", "-brief", "-servername", host]
    args += ["-connect", f"{addresses[0]}:{ctx.port(port)}"]
    if starttls:
        args += ["-starttls", "smtp"]
    code, out = ctx.run(args, timeout=10.0, stdin="QUIT\r\n")
    version = re.search(r"Protocol version: (\S+)", out)
    if version:
        return version.group(1), f"{host}:{port} {version.group(1)}"
    if "Didn't find STARTTLS" in out:
        return "no-starttls", f"{host}:{port} does not offer STARTTLS"
    if "Connection refused" in out or "connect:errno=111" in out:
        return "refused", f"{host}:{port} refused"
    if code == -1 or "errno=104" in out or "reset" in out.lower():
        return "error:" + _last_line(out), f"{host}:{port}: {_last_line(out)}"
    return "no-tls", f"{host}:{port}: no TLS handshake ({_last_line(out)})"


def peer_starttls(ctx: Net, domain: Domain) -> Peer:
    verdicts, evidence = [], []
    for host in domain.mx:
        version, seen = tls_probe(ctx, host, 25, starttls=True)
        evidence.append(seen)
        if version in ("TLSv1.2", "TLSv1.3"):
            verdicts.append("ok")
        elif version.startswith("error") or version == "refused":
            verdicts.append("error")
        else:
            verdicts.append("problem")
    return Peer(_worst(verdicts), "; ".join(evidence)) if domain.mx else Peer("n/a", "no MX hosts")


def _srv(ctx: Net, name: str) -> list[tuple[str, int]] | None:
    """SRV targets; [] for the "." that says "not offered"; None when there is no record."""
    out = ctx.kdig(name, "SRV", "+short")
    found = [line.split() for line in out.splitlines() if re.match(r"^\d+ \d+ \d+ \S+$", line)]
    if not found:
        return None
    return [(t.rstrip("."), int(p)) for _, _, p, t in found if t != "."]


def peer_smtps(ctx: Net, domain: Domain) -> Peer:
    """SMTPS by the criterion's word: implicit TLS (RFC 8314 3.3) with TLS 1.2 or newer."""
    if domain.submission:
        implicit, starttls, how = [(domain.submission, 465)], [(domain.submission, 587)], "given"
    else:
        implicit = _srv(ctx, f"_submissions._tcp.{domain.name}")
        starttls = _srv(ctx, f"_submission._tcp.{domain.name}")
        how = "SRV"
        if implicit is None and starttls is None:
            hosts = [h for h in (f"smtp.{domain.name}", f"mail.{domain.name}") if ctx.addresses(h)]
            implicit, starttls, how = [(h, 465) for h in hosts], [(h, 587) for h in hosts], "name"
        implicit, starttls = implicit or [], starttls or []
    if not implicit and not starttls:
        return Peer("n/a", f"{how}: no submission service offered")
    results = [(*tls_probe(ctx, h, p, starttls=False), "implicit") for h, p in implicit]
    results += [(*tls_probe(ctx, h, p, starttls=True), "starttls") for h, p in starttls]
    evidence = f"{how}: " + "; ".join(f"{kind} {seen}" for _, seen, kind in results)
    implicit_ok = any(v in ("TLSv1.2", "TLSv1.3") for v, _, k in results if k == "implicit")
    if implicit_ok:
        return Peer("ok", evidence)
    if any(v.startswith("error") for v, _, _ in results):
        return Peer("error", evidence)
    starttls_ok = any(v in ("TLSv1.2", "TLSv1.3") for v, _, k in results if k == "starttls")
    return Peer("problem", evidence, {"starttls_only": starttls_ok})


# -- tls_web and tls_mail: testssl.sh -------------------------------------------------------------


def testssl(ctx: Net, host: str, port: int, smtp: bool, fast: bool) -> dict[str, Any]:
    """Run testssl.sh on one server; its findings by id (JSON output), or {"error": ...}."""
    addresses = ctx.addresses(host)
    if not addresses:
        return {"error": f"{host} has no address"}
    out = ctx.work / f"testssl-{host}-{port}.json"
    out.unlink(missing_ok=True)
    args = ["testssl", "--quiet", "--warnings", "off", "--nodns", "none", "--ip", addresses[0]]
    args += ["--add-ca", ctx.ca, "--connect-timeout", "5", "--openssl-timeout", "5"]
    args += ["-p", "-s", "-f", "-S", "-P", *([] if fast else ["-U"]), "--jsonfile", str(out)]
    args += (
        ["-t", "smtp", f"{host}:{ctx.port(port)}"] if smtp else [f"https://{host}:{ctx.port(port)}"]
    )
    code, text = ctx.run(args, timeout=TESTSSL_TIMEOUT)
    try:
        findings = json.loads(out.read_text())
    except (OSError, ValueError):
        return {"error": f"testssl.sh gave no results (exit {code}): {_last_line(text)}"}
    by_id = {f["id"]: f for f in findings}
    versions = ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3")
    if not any(by_id.get(v, {}).get("finding", "").startswith("offered") for v in versions):
        # testssl.sh reads a server that resets every connection as "offers no protocol" and
        # goes on to rate that; no TLS server offers nothing, so it is a scan that failed.
        problem = next((f["finding"] for f in findings if f["severity"] in ("FATAL", "WARN")), "")
        problem = problem if problem and "engine" not in problem else "no protocol offered"
        return {"error": f"testssl.sh could not scan {host}: {problem or _last_line(text)}"}
    return by_id


_FS_AEAD = re.compile(r"^(TLS_AES|TLS_CHACHA20|(EC)?DHE-.*(GCM|CHACHA20|CCM))")


def testssl_aspects(found: dict[str, Any]) -> dict[str, tuple[Verdict, str]]:
    """testssl.sh's findings read by the words of each TLS criterion (see audits/checks/tls.py)."""

    def offered(key: str) -> bool:
        return key in found and found[key]["finding"].startswith("offered")

    legacy = [v for v in ("SSLv2", "SSLv3", "TLS1", "TLS1_1") if offered(v)]
    if offered("SSLv2") or offered("SSLv3") or not (offered("TLS1_2") or offered("TLS1_3")):
        versions = ("problem", f"offered: {legacy}")
    else:
        versions = ("partial" if legacy else "ok", f"legacy offered: {legacy or 'none'}")
    weaker = [
        c
        for c in ("NULL", "aNULL", "EXPORT", "LOW", "3DES_IDEA", "AVERAGE")
        if offered(f"cipherlist_{c}")
    ]
    order = found.get("cipher_order", {}).get("finding", "?")
    first = (found.get("cipherorder_TLSv1_2", {}).get("finding") or "").split()[:1]
    preferred = bool(first) and bool(_FS_AEAD.match(first[0]))
    if not weaker:
        suites = ("ok", "only strong (AEAD) suites offered")
    elif order.startswith("server") and preferred:
        suites = ("ok", f"weaker {weaker} offered, but the server's order puts {first[0]} first")
    else:
        suites = ("partial", f"weaker {weaker} offered; cipher order: {order}")
    logjam = found.get("LOGJAM-common_primes", {})
    weak_dh = logjam.get("severity") in ("MEDIUM", "HIGH", "CRITICAL")
    dh = ("problem" if weak_dh else "ok", f"LOGJAM-common_primes: {logjam.get('finding', '-')}")
    chain = found.get("cert_chain_of_trust", {}).get("finding", "?")
    trust = found.get("cert_trust", {}).get("finding", "?")
    cert_ok = chain.startswith("passed") and not trust.lower().startswith("certificate does not")
    certificate = ("ok" if cert_ok else "problem", f"chain: {chain}; name: {trust}")
    return {"versions": versions, "suites": suites, "dh": dh, "certificate": certificate}


def peer_tls(found: dict[str, Any]) -> Peer:
    """Overall: "no TLS errors or vulnerabilities" = no MEDIUM/HIGH/CRITICAL finding."""
    if "error" in found:
        return Peer("error", found["error"])
    bad = [
        f"{f['severity']} {i}: {f['finding'][:70]}"
        for i, f in found.items()
        if f["severity"] in ("MEDIUM", "HIGH", "CRITICAL") and i not in TESTSSL_ARTIFACTS
    ]
    ignored = [i for i in TESTSSL_ARTIFACTS if i in found and found[i]["severity"] != "OK"]
    low = [i for i, f in found.items() if f["severity"] == "LOW"]
    evidence = "; ".join(bad) if bad else "no MEDIUM or worse finding"
    evidence += f" (LOW: {', '.join(low) or 'none'}; test-network artifacts ignored: {ignored})"
    return Peer("problem" if bad else "ok", evidence, {"aspects": testssl_aspects(found)})


# -- hsts and https_redirect: curl ----------------------------------------------------------------


def peer_hsts(ctx: Net, domain: Domain) -> Peer:
    host = domain.web or domain.name
    addresses = ctx.addresses(host)
    if not addresses:
        return Peer("error", f"{host} has no address")
    cache = ctx.work / f"hsts-{host}.txt"
    cache.unlink(missing_ok=True)
    args = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"]
    args += ["--cacert", ctx.ca, "--hsts", str(cache), "-L", "--max-redirs", "5"]
    args += [
        "--resolve",
        f"{host}:{ctx.port(443)}:{addresses[0]}",
        f"https://{host}:{ctx.port(443)}/",
    ]
    code, out = ctx.run(args)
    if code != 0:
        return Peer("error", f"curl exit {code}: {out.strip()}")
    entries = [
        line
        for line in (cache.read_text().splitlines() if cache.exists() else [])
        if line and not line.startswith("#")
    ]
    entry = next((e for e in entries if e.split()[0].lstrip(".") == host), None)
    if entry is None:
        return Peer("problem", "curl stored no HSTS entry")
    name, expiry = entry.split(" ", 1)
    expires = datetime.datetime.strptime(expiry.strip('"'), "%Y%m%d %H:%M:%S")
    seconds = (expires - datetime.datetime.now()).total_seconds()
    subdomains = name.startswith(".")
    verdict = "ok" if subdomains and seconds >= HSTS_MIN_SECONDS - 3600 else "partial"
    return Peer(verdict, f"curl stored {entry} (includeSubDomains: {subdomains})")


def peer_redirect(ctx: Net, domain: Domain) -> Peer:
    url, host = f"http://{domain.web}/", domain.web or domain.name
    hops = []
    for _ in range(5):
        addresses = ctx.addresses(host)
        if not addresses:
            return Peer("error", f"{host} has no address")
        target = url.replace(f"//{host}/", f"//{host}:{ctx.port(80)}/", 1)
        args = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}"]
        args += ["--max-time", "10", "--resolve", f"{host}:{ctx.port(80)}:{addresses[0]}", target]
        code, out = ctx.run(args)
        if code != 0:
            return Peer("error", f"curl exit {code} on {url}")
        status, _, location = out.strip().partition(" ")
        hops.append(f"{url} -> {status} {location}".strip())
        if not location:
            return Peer("problem", "; ".join(hops))
        if location.startswith("https://"):
            return Peer("ok", "; ".join(hops))
        url, host = location, re.sub(r"^http://([^/:]+).*", r"\1", location)
    return Peer("problem", "; ".join(hops))


# -- csp and sri: chromium ------------------------------------------------------------------------

_PAGE_PROBE = """() => {
  const found = [];
  for (const s of document.querySelectorAll('script[src]'))
    found.push({kind: 'script', url: s.src, integrity: s.integrity});
  for (const l of document.querySelectorAll('link[href]')) {
    const rel = l.relList, as = (l.getAttribute('as') || '').toLowerCase();
    const kind = rel.contains('stylesheet') ? 'stylesheet'
      : rel.contains('modulepreload') || (rel.contains('preload') && as === 'script') ? 'script'
      : rel.contains('preload') && as === 'style' ? 'stylesheet' : null;
    if (kind) found.push({kind, url: l.href, integrity: l.integrity});
  }
  const probe = document.createElement('script');
  probe.textContent = 'window.__inlineRan = true;';
  document.head.appendChild(probe);
  return {resources: found, inlineRan: window.__inlineRan === true};
}"""


def browse(ctx: Net, domains: list[Domain]) -> dict[str, dict[str, Any]]:
    """Load each web host's homepage in chromium: CSP header, inline-script probe, subresources."""
    from playwright.sync_api import sync_playwright

    hosts = {d.web: ctx.addresses(d.web) for d in domains if d.web}
    rules = ", ".join(f"MAP {h} {a[0]}" for h, a in hosts.items() if a) + ", EXCLUDE localhost"
    seen: dict[str, dict[str, Any]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                f"--host-resolver-rules={rules}",
            ],
        )
        # The test CA is not in chromium's store; TLS is judged by testssl.sh, not here.
        context = browser.new_context(ignore_https_errors=True)
        for host, addresses in hosts.items():
            if not addresses:
                seen[host] = {"error": f"{host} has no address"}
                continue
            page = context.new_page()
            try:
                response = page.goto(f"https://{host}:{ctx.port(443)}/", timeout=8000)
                probe = page.evaluate(_PAGE_PROBE)
                headers = response.headers if response else {}
                seen[host] = {
                    **probe,
                    "url": page.url,
                    "csp": headers.get("content-security-policy"),
                }
            except Exception as exc:  # what chromium could not load is this peer's finding
                seen[host] = {"error": f"chromium: {str(exc).splitlines()[0]}"}
            finally:
                page.close()
        browser.close()
    return seen


def peer_csp(seen: dict[str, Any]) -> Peer:
    if "error" in seen:
        return Peer("error", seen["error"])
    if not seen["csp"]:
        return Peer("problem", "no Content-Security-Policy header")
    ran = "ran" if seen["inlineRan"] else "was blocked"
    return Peer("problem" if seen["inlineRan"] else "ok", f"an injected inline script {ran}")


_PSL = PublicSuffixList()


def _site(url: str) -> str | None:
    host = re.sub(r"^https?://([^/:]+).*$", r"\1", url) if url.startswith("http") else None
    return (_PSL.privatesuffix(host) or host) if host else None


def peer_sri(seen: dict[str, Any]) -> Peer:
    if "error" in seen:
        return Peer("error", seen["error"])
    own = _site(seen["url"])
    external = [r for r in seen["resources"] if _site(r["url"]) not in (None, own)]
    missing = [r["url"] for r in external if not r["integrity"]]
    evidence = f"{len(seen['resources'])} parsed, external: {[r['url'] for r in external]}"
    return Peer("problem" if missing else "ok", evidence + f", without integrity: {missing}")


# -- wkd: gpg-wks-client, curl, gpg ---------------------------------------------------------------


def peer_wkd(ctx: Net, domain: Domain) -> Peer:
    address = domain.wkd_address
    if not address:
        return Peer("-", "gpg looks keys up by an address; this case has none (policy only)")
    code, out = ctx.run([GPG_WKS_CLIENT, "--print-wkd-url", address])
    advanced = out.strip().splitlines()[0] if code == 0 and out.strip() else ""
    if not advanced.startswith("https://"):
        return Peer("error", f"gpg-wks-client: {out.strip()}")
    host = re.sub(r"^https://([^/]+)/.*$", r"\1", advanced)
    rcode = ctx.rcode(host, "A")
    if rcode == "NXDOMAIN":  # GnuPG's rule too: the direct method only without that host
        local, _, mail_domain = address.partition("@")
        hashed = advanced.split("/hu/")[1].split("?")[0]
        url = f"https://{mail_domain}/.well-known/openpgpkey/hu/{hashed}?l={local}"
    elif rcode != "NOERROR":
        return Peer("error", f"{host}: {rcode}")
    else:
        url = advanced
    host = re.sub(r"^https://([^/]+)/.*$", r"\1", url)
    addresses = ctx.addresses(host)
    if not addresses:
        return Peer("error", f"{host} has no address")
    key = ctx.work / "wkd.key"
    key.unlink(missing_ok=True)
    fetched = url.replace(f"//{host}/", f"//{host}:{ctx.port(443)}/", 1)
    args = ["curl", "-s", "-o", str(key), "-w", "%{http_code}", "--max-time", "10", "--cacert"]
    args += [ctx.ca, "--resolve", f"{host}:{ctx.port(443)}:{addresses[0]}", fetched]
    code, status = ctx.run(args)
    if code != 0:
        return Peer("error", f"curl exit {code} on {url}")
    if status.strip() != "200":
        return Peer("problem", f"{url}: HTTP {status.strip()}")
    home = tempfile.mkdtemp(dir=ctx.work)
    _, shown = ctx.run(["gpg", "--homedir", home, "--with-colons", "--show-keys", str(key)])
    uids = [line.split(":")[9] for line in shown.splitlines() if line.startswith("uid:")]
    holds = any(f"<{address.lower()}>" in uid.lower() for uid in uids)
    return Peer("ok" if holds else "problem", f"{url}: user IDs {uids}")


# -- running and printing --------------------------------------------------------------------------


def _worst(verdicts: list[Verdict]) -> Verdict:
    for verdict in ("problem", "error", "partial", "ok"):
        if verdict in verdicts:
            return verdict
    return "n/a"


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:120] if lines else "(no output)"


def cases(key: str) -> list[Domain]:
    return [d for d in DOMAINS if key in d.expect]


def our_result(domain: Domain, key: str, config: NetConfig) -> CheckResult:
    checks = plan_checks(audit_target(domain), domain.mx, domain.web or domain.name, config)
    return checks[key]()


def compare(args: argparse.Namespace, ctx: Net, config: NetConfig) -> list[Row]:
    wanted = set(args.check or [])

    def want(key: str) -> bool:
        return not wanted or key in wanted

    rows: list[Row] = []

    def add(key: str, domain: Domain, peer: Peer, tool: str, ours: CheckResult | None = None):
        ours = ours or our_result(domain, key, config)
        rows.append(
            Row(
                key,
                domain.name,
                OURS[ours.status.value],
                str(ours.summary),
                peer,
                tool,
                ours.details,
            )
        )

    with ThreadPoolExecutor(max_workers=2) as pool:  # testssl.sh is slow: let it run meanwhile
        scans: dict[tuple[str, str], Future] = {}
        for key, port, smtp in (("tls_web", 443, False), ("tls_mail", 25, True)):
            for domain in cases(key) if want(key) else []:
                hosts = [domain.web] if key == "tls_web" else list(domain.mx)
                for host in hosts:
                    if host:
                        scans[(key, host)] = pool.submit(testssl, ctx, host, port, smtp, args.fast)
        simple: tuple[tuple[str, Callable[[Net, Domain], Peer], str], ...] = (
            ("dnssec", peer_dnssec, "delv"),
            ("dane", peer_dane, "delv + openssl -dane"),
            ("starttls", peer_starttls, "openssl s_client"),
            ("smtps_submission", peer_smtps, "openssl s_client"),
            ("hsts", peer_hsts, "curl --hsts"),
            ("https_redirect", peer_redirect, "curl"),
            ("wkd", peer_wkd, "gpg-wks-client + gpg"),
        )
        for key, peer, tool in simple:
            for domain in cases(key) if want(key) else []:
                add(key, domain, peer(ctx, domain), tool)
        web = [d for d in DOMAINS if d.web and ({"csp", "sri"} & set(d.expect))]
        if want("csp") or want("sri"):
            seen = browse(ctx, web)
            for key, judge in (("csp", peer_csp), ("sri", peer_sri)):
                for domain in cases(key) if want(key) else []:
                    add(key, domain, judge(seen[domain.web]), "chromium")
        for key in ("tls_web", "tls_mail"):
            for domain in cases(key) if want(key) else []:
                rows += _tls_rows(key, domain, scans, config)
    return rows


def _tls_rows(key: str, domain: Domain, scans: dict, config: NetConfig) -> list[Row]:
    hosts = [domain.web] if key == "tls_web" else list(domain.mx)
    found = [scans[(key, h)].result() for h in hosts if (key, h) in scans]
    peers = [peer_tls(f) for f in found]
    ours = our_result(domain, key, config)
    evidence = " | ".join(p.evidence for p in peers) or "no hosts to scan"
    overall = Peer(_worst([p.verdict for p in peers]), evidence)
    rows = [
        Row(
            key,
            domain.name,
            OURS[ours.status.value],
            str(ours.summary),
            overall,
            "testssl.sh",
            ours.details,
        )
    ]
    if all("aspects" in p.facts for p in peers) and "aspects" in ours.details:
        for aspect, ours_status in ours.details["aspects"].items():
            judged = [p.facts["aspects"][aspect] for p in peers]
            peer = Peer(_worst([v for v, _ in judged]), " | ".join(e for _, e in judged))
            rows.append(
                Row(
                    f"{key}.{aspect}",
                    domain.name,
                    OURS[ours_status],
                    "",
                    peer,
                    "testssl.sh",
                    ours.details,
                )
            )
    return rows


def explain(row: Row) -> str:
    """Who is right in a disagreement, and why (the cases this network shows; else unexplained)."""
    base = row.check.split(".")[0]
    if row.check.endswith(".suites") and row.ours == "partial" and row.peer.verdict == "ok":
        return (
            "testssl.sh measured the server's own cipher order (\"a server suite PREFERENCE for "
            "strong cipher suites\"); ours says 'partly' only when audits/net/tls_preference.py "
            "could not complete its handshakes (a suite this OpenSSL lacks, a refused or "
            "timed-out handshake), so neither verdict is wrong: ours is unknown."
        )
    if base == "smtps_submission" and row.peer.facts.get("starttls_only"):
        return (
            'The peer is right by the criterion\'s words: "SMTPS submission" is implicit TLS '
            "(RFC 8314 3.3, port 465), and this domain offers submission only with STARTTLS on "
            "587, which our smtps check accepts. Ours answers a wider question (submission over "
            "TLS 1.2+); audits/checks/smtps.py's owner should make STARTTLS-only at most 'partly'."
        )
    if base in ("tls_web", "tls_mail") and row.ours == "problem" and row.peer.verdict == "ok":
        return (
            "Ours is right: the server accepts what RFC 8996/9325 forbid, which testssl.sh rates "
            "LOW (not an error or vulnerability in its scale). See the aspect rows."
        )
    return "unexplained: compare the evidence above."


def print_rows(rows: list[Row]) -> None:
    width = max(len(r.check) for r in rows)
    dwidth = max(len(r.domain) for r in rows)
    print(f"\n{'check':<{width}}  {'domain':<{dwidth}}  {'ours':<8} {'peer':<8}    tool")
    for r in rows:
        mark = "=" if r.agree else "≠" if r.judged else " "
        verdicts = f"{r.ours:<8} {r.peer.verdict:<8} {mark}"
        print(f"{r.check:<{width}}  {r.domain:<{dwidth}}  {verdicts}  {r.tool}")
    judged = [r for r in rows if r.judged]
    agree = sum(r.agree for r in judged)
    print(
        f"\n{agree} of {len(judged)} agree; {len(judged) - agree} disagree; "
        f"{len(rows) - len(judged)} the peer cannot judge ('-')."
    )
    print("\ndisagreements, with each side's evidence and who is right:")
    for r in (r for r in judged if not r.agree):
        print(f"\n  {r.check} on {r.domain}: ours {r.ours}, {r.tool} {r.peer.verdict}")
        print(f"    ours:   {r.ours_summary or _aspect_evidence(r)}")
        print(f"    peer:   {r.peer.evidence[:400]}")
        print(f"    right:  {explain(r)}")
    if agree == len(judged):
        print("  none")


def _aspect_evidence(row: Row) -> str:
    hosts = row.ours_details.get("hosts", [])
    return "; ".join(f"{h.get('host')}: {h.get('problems') or 'no problems'}" for h in hosts)[:400]


def print_evidence(rows: list[Row], limit: int = 160) -> None:
    print("\nwhat each peer saw (agreements included):")
    for r in rows:
        if "." not in r.check:
            print(f"  {r.check:<16} {r.domain:<22} {r.peer.evidence[:limit]}")


def missing_tools() -> list[str]:
    tools = ["delv", "kdig", "openssl", "curl", "gpg", "testssl", GPG_WKS_CLIENT, CHROMIUM]
    return [t for t in tools if not shutil.which(t)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--fast", action="store_true", help="testssl.sh without -U (vulnerabilities)"
    )
    parser.add_argument("--check", action="append", help="only this check (repeatable)")
    args = parser.parse_args()
    missing = missing_tools()
    if missing:
        sys.exit(f"missing: {', '.join(missing)} (bash .ci/install-testnet.sh installs them)")
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True)
    state = Path(tempfile.mkdtemp(prefix="mailvet-bench-peers-"))
    try:
        net = network.up(state / "net")
        ctx = Net(net, state)
        config = NetConfig.from_env(net.env)
        _, testssl_version = ctx.run(["testssl", "--version"])
        version = re.search(r"testssl\S*\s+(\d+\.\d+\S*)", testssl_version)
        print(
            f"test network with {len(net.zones)} zones up in {net.startup_seconds:.1f} s; "
            f"testssl.sh {version.group(1) if version else '?'}"
            f"{' (--fast: no -U)' if args.fast else ''}; trust anchors for delv: "
            f"{', '.join(ctx.anchors)}"
        )
        rows = compare(args, ctx, config)
        print_rows(rows)
        print_evidence(rows)
        print(
            "\nnot compared here: spf, dmarc, mta_sts, tls_rpt (bench/bench_checkdmarc.py); "
            "dkim, caa, mx (no independent offline tool installed)."
        )
    finally:
        network.down(state / "net")
        shutil.rmtree(state, ignore_errors=True)
        faulthandler.cancel_dump_traceback_later()


if __name__ == "__main__":
    main()
