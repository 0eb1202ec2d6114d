"""Full TLS scans with sslyze: every protocol version, every accepted suite, its key exchange.

Why sslyze rather than handshakes of our own: it tries each cipher suite of each version (SSL 2.0
to TLS 1.3) with OpenSSL builds that still speak the legacy protocols, it reports the ephemeral key
of every accepted suite (the DH group size that Python's ssl module cannot show), and it validates
the certificate chain for the name with `cryptography`'s verifier. That is the scan BCP 195
(RFC 9325) asks about, maintained by people who follow TLS closely.

The connection goes to the address OUR resolver gave and the SSRF guard passed (sslyze never
resolves names itself), to the port AUDIT_PORT_OVERRIDES maps to, with SNI set to the host name.
"""

from __future__ import annotations

import math
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from nassl.ephemeral_key_info import OpenSslEvpPkeyEnum
from sslyze import (
    CertificateInfoExtraArgument,
    CipherSuiteAcceptedByServer,
    ProtocolWithOpportunisticTlsEnum,
    ScanCommand,
    ScanCommandAttemptStatusEnum,
    ScanCommandsExtraArguments,
    Scanner,
    ServerNetworkConfiguration,
    ServerNetworkLocation,
    ServerScanRequest,
    ServerScanResult,
    ServerScanStatusEnum,
    TlsVersionEnum,
)
from sslyze.errors import (
    ConnectionToServerFailed,
    ConnectionToServerTimedOut,
    ServerRejectedTlsHandshake,
    TlsHandshakeTimedOut,
)
from sslyze.server_connectivity import ServerConnectivityInfo, check_connectivity_to_server

from audits.net.config import NetConfig

T = TypeVar("T")
R = TypeVar("R")

# sslyze's bundled Java and Windows root stores contain a root with a non-positive serial number;
# cryptography warns on loading it. Those stores are not used for our verdict (see TRUSTED_STORES).
warnings.filterwarnings(
    "ignore",
    message="Parsed a serial number which wasn't positive",
    module=r"sslyze\.",
)

# Version name (as the checks report it) -> the sslyze scan command and result attribute.
VERSION_COMMANDS: dict[str, ScanCommand] = {
    "SSLv2": ScanCommand.SSL_2_0_CIPHER_SUITES,
    "SSLv3": ScanCommand.SSL_3_0_CIPHER_SUITES,
    "TLSv1": ScanCommand.TLS_1_0_CIPHER_SUITES,
    "TLSv1.1": ScanCommand.TLS_1_1_CIPHER_SUITES,
    "TLSv1.2": ScanCommand.TLS_1_2_CIPHER_SUITES,
    "TLSv1.3": ScanCommand.TLS_1_3_CIPHER_SUITES,
}
_TLS_VERSION_ENUMS: dict[str, TlsVersionEnum] = {
    "SSLv2": TlsVersionEnum.SSL_2_0,
    "SSLv3": TlsVersionEnum.SSL_3_0,
    "TLSv1": TlsVersionEnum.TLS_1_0,
    "TLSv1.1": TlsVersionEnum.TLS_1_1,
    "TLSv1.2": TlsVersionEnum.TLS_1_2,
    "TLSv1.3": TlsVersionEnum.TLS_1_3,
}
# Versions RFC 8996 (TLS 1.0/1.1), RFC 7568 (SSL 3.0) and RFC 6176 (SSL 2.0) forbid.
LEGACY_VERSIONS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
MODERN_VERSIONS = ("TLSv1.2", "TLSv1.3")
# The public roots the web and mail use (certifi is the same list), plus AUDIT_CA_BUNDLE if set.
# Apple, Android, Java and Windows stores would let a certificate pass that Mozilla distrusts.
TRUSTED_STORES = ("Mozilla", "Supplied CA file")
MAX_PARALLEL_SERVERS = 8
# RFC 9325 4.1 / RFC 7919: finite-field DH groups below 2048 bits are weak (Logjam).
MIN_DH_BITS = 2048
_AEAD = re.compile(r"_GCM_|_CCM(_8)?(_|$)|CHACHA20_POLY1305")
_FORWARD_SECRET = re.compile(r"^TLS_(EC)?DHE_")
_FINITE_FIELD_DH = re.compile(r"^TLS_(DHE_|DH_anon_)")


@dataclass(frozen=True)
class AcceptedSuite:
    version: str
    name: str  # the IANA (RFC) name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    key_exchange: str | None  # "DH", "EC", "X25519", "X448", or None (static RSA)
    key_bits: int | None
    # The name sslyze's OpenSSL offered it by (AES128-GCM-SHA256), for handshakes of our own
    # (net/tls_preference.py); None when not known. One suite can have two OpenSSL names.
    openssl_name: str | None = field(default=None, compare=False)

    @property
    def forward_secret(self) -> bool:
        # Every TLS 1.3 suite is (EC)DHE; in 1.2 and older the suite name says it.
        return self.version == "TLSv1.3" or bool(_FORWARD_SECRET.match(self.name))

    @property
    def aead(self) -> bool:
        return self.version == "TLSv1.3" or bool(_AEAD.search(self.name))

    @property
    def weak_dh(self) -> bool:
        if self.key_exchange == "DH":
            return (self.key_bits or 0) < MIN_DH_BITS
        # sslyze's legacy client refuses DH groups below about 768 bits; the suite still counts
        # as accepted, without an ephemeral key. A finite-field DHE suite with no key is the
        # weakest case of all, not an unknown.
        return self.key_exchange is None and bool(_FINITE_FIELD_DH.match(self.name))


@dataclass(frozen=True)
class ServerTls:
    """What one server accepts, and whether its certificate verifies for the host name."""

    host: str
    address: str
    port: int
    suites: tuple[AcceptedSuite, ...] = ()
    certificate_valid: bool = False
    certificate_error: str | None = None
    # False when sslyze could not fetch the certificate at all: "unknown", not "invalid".
    certificate_checked: bool = True
    # Versions sslyze could not test (a scan command that errored): never read as "refused".
    untested_versions: tuple[str, ...] = ()
    connection_error: str | None = None  # set when the server could not be scanned at all

    @property
    def accepted_versions(self) -> list[str]:
        found = {s.version for s in self.suites}
        return [v for v in VERSION_COMMANDS if v in found]

    @property
    def legacy_versions(self) -> list[str]:
        return [v for v in self.accepted_versions if v in LEGACY_VERSIONS]

    @property
    def modern_suites_without_fs_or_aead(self) -> list[str]:
        return [
            s.name
            for s in self.suites
            if s.version in MODERN_VERSIONS and not (s.forward_secret and s.aead)
        ]

    @property
    def weak_dh_suites(self) -> list[AcceptedSuite]:
        return [s for s in self.suites if s.weak_dh]


@dataclass(frozen=True)
class ScanTarget:
    host: str
    address: str  # already through the SSRF guard
    port: int
    smtp_starttls: bool = False


@dataclass(frozen=True)
class _Prepared:
    """A server that answered sslyze's connectivity test, and the legacy versions it refused."""

    target: ScanTarget
    refused: frozenset[str]


def scan_servers(
    targets: Sequence[ScanTarget], config: NetConfig, *, bound: float | None = None
) -> list[ServerTls]:
    """Scan every target side by side; results come back in the order of `targets`.

    Never raises for a server's sake: an unreachable or hostile server gives a ServerTls with
    `connection_error`, and so does a scan that outlives `bound` (default
    `config.tls_scan_timeout`; a caller that spent some of its time already passes what is left).
    """
    if not targets:
        return []
    bound = config.tls_scan_timeout if bound is None else max(0.0, bound)
    results: dict[ScanTarget, ServerTls] = {}
    failure: list[str] = []
    done = threading.Event()

    def run() -> None:
        try:
            prepared = _in_daemon_threads(lambda t: _prepare(t, config), targets)
            ready = [p for p in prepared if isinstance(p, _Prepared)]
            results.update(
                {t: p for t, p in zip(targets, prepared, strict=True) if isinstance(p, ServerTls)}
            )
            results.update(_full_scans(ready, config))
        except Exception as exc:  # a bug or a server sslyze cannot parse: report, don't vanish
            failure.append(f"TLS scan failed: {type(exc).__name__}: {exc}")
        finally:
            done.set()

    # A daemon thread: sslyze cannot be cancelled, but its every connection has a timeout, so a
    # scan past our bound ends on its own; the check must not wait for it.
    threading.Thread(target=run, name="tls-scan", daemon=True).start()
    finished = done.wait(bound)
    if not finished:
        problem = f"TLS scan did not finish within {bound:.1f} s"
    else:
        problem = failure[0] if failure else "TLS scan gave no result"
    return [
        results.get(t, ServerTls(t.host, t.address, t.port, connection_error=problem))
        for t in targets
    ]


def _in_daemon_threads(func: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`func` over `items`, one daemon thread each (a check has a few hosts, four addresses
    at most per host, and each thread holds one connection at a time).

    Not a ThreadPoolExecutor: its workers are joined when the interpreter exits, so a command
    would hang until a scan it already gave up on ends its timeouts.
    """
    results: list[R | None] = [None] * len(items)

    def work(index: int) -> None:
        results[index] = func(items[index])

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(items))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results  # type: ignore[return-value]  (every slot is filled once the joins return)


def _prepare(target: ScanTarget, config: NetConfig) -> _Prepared | ServerTls:
    """sslyze's connectivity test, then one handshake per legacy version.

    A full scan tries every suite of every version one connection at a time: 537 connections
    against a modern server, most of them refusals of SSL 2.0 to TLS 1.1. One handshake offering
    every suite of a legacy version tells whether the server speaks it at all; only versions it
    does not clearly refuse get the per-suite scan. That cuts a modern server to about 180
    connections, which matters for MX hosts that rate-limit or block busy clients.
    """
    location, network = _location(target), _network(target, config)
    try:
        probing = check_connectivity_to_server(location, network)
    except ConnectionToServerFailed as exc:
        return _unreachable(target, exc.error_message)
    except Exception as exc:
        return _unreachable(target, f"TLS probing failed: {type(exc).__name__}: {exc}")
    server = ServerConnectivityInfo(location, network, probing)
    refused = frozenset(v for v in LEGACY_VERSIONS if _refuses_version(server, v))
    return _Prepared(target, refused)


# The probes of one legacy version, as sslyze's own version detection makes them: OpenSSL's
# default list first (a small ClientHello, which servers that choke on big ones still read),
# then every suite the legacy build has, the same set the per-suite scan would try.
_PROBE_CIPHER_LISTS = ("DEFAULT", "ALL:COMPLEMENTOFALL:-PSK:-SRP")


def _refuses_version(server: ServerConnectivityInfo, version: str) -> bool:
    """True when every probe is refused or times out, as sslyze's per-suite scan reads both;
    any other outcome (a handshake, a client-side error) leaves the version to the full scan."""
    for cipher_list in _PROBE_CIPHER_LISTS:
        connection = server.get_preconfigured_tls_connection(
            override_tls_version=_TLS_VERSION_ENUMS[version], should_use_legacy_openssl=True
        )
        try:
            connection.ssl_client.set_cipher_list(cipher_list)
            connection.connect()
        except (ServerRejectedTlsHandshake, TlsHandshakeTimedOut, ConnectionToServerTimedOut):
            continue
        except Exception:
            return False
        finally:
            connection.close()
        return False  # a handshake succeeded: the version is spoken
    return True


def _full_scans(ready: list[_Prepared], config: NetConfig) -> dict[ScanTarget, ServerTls]:
    if not ready:
        return {}
    scanner = Scanner(
        # sslyze's defaults: five connections at a time per server, servers side by side up to
        # a cap, so four MX hosts with four addresses each cannot open eighty connections at once.
        per_server_concurrent_connections_limit=5,
        concurrent_server_scans_limit=min(len(ready), MAX_PARALLEL_SERVERS),
    )
    requests = [(_request(p, config), p) for p in ready]
    # Matched back by the request's id: sslyze rewrites host names (IDNA), so names won't do.
    by_id = {request.uuid: prepared for request, prepared in requests}
    scanner.queue_scans([request for request, _ in requests])
    found: dict[ScanTarget, ServerTls] = {}
    for server_result in scanner.get_results():
        prepared = by_id[server_result.uuid]
        found[prepared.target] = _read_result(server_result, prepared)
    return found


def _location(target: ScanTarget) -> ServerNetworkLocation:
    return ServerNetworkLocation(hostname=target.host, port=target.port, ip_address=target.address)


def _network(target: ScanTarget, config: NetConfig) -> ServerNetworkConfiguration:
    return ServerNetworkConfiguration(
        tls_server_name_indication=target.host,
        tls_opportunistic_encryption=(
            ProtocolWithOpportunisticTlsEnum.SMTP if target.smtp_starttls else None
        ),
        # sslyze takes whole seconds; round up so a 1.5 s setting never becomes 1 s.
        network_timeout=max(1, math.ceil(config.timeout)),
        # One retry: a busy MX may drop a connection, but the tarpit must not cost many timeouts.
        network_max_retries=1,
    )


def _request(prepared: _Prepared, config: NetConfig) -> ServerScanRequest:
    extra = ScanCommandsExtraArguments(
        certificate_info=CertificateInfoExtraArgument(custom_ca_file=Path(config.ca_bundle))
        if config.ca_bundle
        else None
    )
    versions = [v for v in VERSION_COMMANDS if v not in prepared.refused]
    return ServerScanRequest(
        server_location=_location(prepared.target),
        network_configuration=_network(prepared.target, config),
        scan_commands={*(VERSION_COMMANDS[v] for v in versions), ScanCommand.CERTIFICATE_INFO},
        scan_commands_extra_arguments=extra,
    )


def _read_result(server_result: ServerScanResult, prepared: _Prepared) -> ServerTls:
    target = prepared.target
    if server_result.scan_status != ServerScanStatusEnum.COMPLETED or not server_result.scan_result:
        return _unreachable(target, _trace_reason(server_result))
    scan = server_result.scan_result
    suites: list[AcceptedSuite] = []
    untested: list[str] = []
    for version, command in VERSION_COMMANDS.items():
        if version in prepared.refused:
            continue  # refused outright in _prepare: no suite to list
        attempt = getattr(scan, command.value)
        if attempt.status != ScanCommandAttemptStatusEnum.COMPLETED or attempt.result is None:
            untested.append(version)
            continue
        suites += [_suite(version, accepted) for accepted in attempt.result.accepted_cipher_suites]
    checked, valid, error = _certificate_verdict(scan.certificate_info)
    return ServerTls(
        target.host,
        target.address,
        target.port,
        suites=tuple(suites),
        certificate_valid=valid,
        certificate_error=error,
        certificate_checked=checked,
        untested_versions=tuple(untested),
    )


def _suite(version: str, accepted: CipherSuiteAcceptedByServer) -> AcceptedSuite:
    key = accepted.ephemeral_key
    suite = accepted.cipher_suite
    if key is None:
        return AcceptedSuite(version, suite.name, None, None, suite.openssl_name)
    try:
        kind = OpenSslEvpPkeyEnum(key.type).name
    except ValueError:  # a key type newer than this nassl knows: name it by number
        kind = f"type {key.type}"
    return AcceptedSuite(version, suite.name, kind, key.size, suite.openssl_name)


def _certificate_verdict(attempt) -> tuple[bool, bool, str | None]:  # type: ignore[no-untyped-def]
    """(checked, valid, error). Valid when EVERY certificate the server deploys (one per key
    type, say RSA and ECDSA) verifies for the name against a trusted store: a client that
    prefers the broken one gets the broken one."""
    if attempt.status != ScanCommandAttemptStatusEnum.COMPLETED or attempt.result is None:
        return False, False, "the certificate could not be retrieved"
    deployments = attempt.result.certificate_deployments
    if not deployments:
        return True, False, "no certificate was presented"
    errors: list[str] = []
    for deployment in deployments:
        trusted = [
            v for v in deployment.path_validation_results if v.trust_store.name in TRUSTED_STORES
        ]
        if not any(v.was_validation_successful for v in trusted):
            errors.append(_shortest(v.validation_error or "not trusted" for v in trusted) or "")
    if errors:
        return True, False, _shortest(e for e in errors if e) or "not trusted"
    return True, True, None


def _shortest(messages: Iterable[str]) -> str | None:
    return min(messages, key=len, default=None)


def _trace_reason(server_result: ServerScanResult) -> str:
    trace = server_result.connectivity_error_trace
    if trace is None:
        return "could not be scanned"
    text = "".join(trace.format_exception_only()).strip()
    # sslyze's messages read 'host:port -> "reason".'; keep the reason.
    match = re.search(r'-> "(.*)"\.?$', text, re.DOTALL)
    return match.group(1) if match else text.split(": ", 1)[-1]


def _unreachable(target: ScanTarget, reason: str) -> ServerTls:
    where = f"{target.host}:{target.port}"
    if "timed out" in reason:
        message = f"{where} did not answer in time ({reason})"
    else:
        message = f"{where}: {reason}"
    return ServerTls(target.host, target.address, target.port, connection_error=message)
