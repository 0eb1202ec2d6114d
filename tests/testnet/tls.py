"""Server-side TLS contexts for the two profiles of zones.py."""

from __future__ import annotations

import ssl
import warnings
from pathlib import Path

from tests.testnet.zones import TlsProfile

# TLS 1.2 suites with forward secrecy and AEAD only; TLS 1.3 suites all qualify already.
MODERN_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"


def server_context(profile: TlsProfile, cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.options |= ssl.OP_NO_COMPRESSION
    if profile is TlsProfile.MODERN:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(MODERN_CIPHERS)
        ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    else:
        with warnings.catch_warnings():
            # Python warns that TLS 1.0 is deprecated: that is the point of this profile.
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
        # Security level 0, or OpenSSL 3 refuses TLS 1.0/1.1 whatever the minimum version says.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    return ctx
