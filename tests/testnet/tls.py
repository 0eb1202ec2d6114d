"""Server-side TLS contexts for the profiles of zones.py."""

from __future__ import annotations

import ssl
import warnings
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import dh
from cryptography.hazmat.primitives.serialization import Encoding, ParameterFormat

from tests.testnet.zones import TlsProfile

# TLS 1.2 suites with forward secrecy and AEAD only; TLS 1.3 suites all qualify already.
MODERN_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"

# The mixed profiles: the strong suites of a modern server with an RSA key, and two TLS 1.2 suites
# RFC 9325 4.2 does not recommend, both still in OpenSSL 3 (tests/test_tls_preference.py checks
# this machine's): one without forward secrecy (TLS_RSA_WITH_AES_128_GCM_SHA256) and one without
# AEAD (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA).
MIXED_STRONG = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"
MIXED_WEAK = "AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA"
# Server order -> (OpenSSL cipher string, whether the server enforces its own order).
MIXED_CIPHERS: dict[TlsProfile, tuple[str, bool]] = {
    TlsProfile.MIXED_STRONG_FIRST: (f"{MIXED_STRONG}:{MIXED_WEAK}", True),
    # The same list, but the client's order decides (OpenSSL's default for a server).
    TlsProfile.MIXED_CLIENT_ORDER: (f"{MIXED_STRONG}:{MIXED_WEAK}", False),
    TlsProfile.MIXED_INTERLEAVED: (
        "ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256:"
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-SHA",
        True,
    ),
}

# The 1024-bit MODP group of RFC 2409 6.2 ("Oakley group 2"), the group Logjam showed to be within
# reach of a nation state: a fixed, well-known weak group, and no parameter generation at start-up.
OAKLEY_GROUP_2_PRIME = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E34"
    "04DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6"
    "F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)


@cache
def weak_dh_params(directory: Path) -> Path:
    path = directory / "dh1024.pem"
    numbers = dh.DHParameterNumbers(OAKLEY_GROUP_2_PRIME, 2)
    path.write_bytes(numbers.parameters().parameter_bytes(Encoding.PEM, ParameterFormat.PKCS3))
    return path


def server_context(profile: TlsProfile, cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.options |= ssl.OP_NO_COMPRESSION
    if profile is TlsProfile.MODERN:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(MODERN_CIPHERS)
        ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    elif profile in MIXED_CIPHERS:
        ciphers, server_order = MIXED_CIPHERS[profile]
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(ciphers)
        if server_order:
            ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
        else:
            ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    else:
        with warnings.catch_warnings():
            # Python warns that TLS 1.0 is deprecated: that is the point of this profile.
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
        # Security level 0, or OpenSSL 3 refuses TLS 1.0/1.1 (and a 1024-bit DH group) whatever
        # the minimum version says.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.load_dh_params(weak_dh_params(cert.parent))
    return ctx
