"""Key material other than TLS: DKIM keys (as TXT record values) and the WKD OpenPGP key."""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from tests.testnet import procs
from tests.testnet.zones import DkimKey


def dkim_record(spec: DkimKey, directory: Path, stem: str) -> str:
    """Make the key, keep the private half (for tests that sign mail), return the TXT value."""
    if spec.revoked:
        # RFC 6376 3.6.1: an empty p= means the key was revoked.
        return "v=DKIM1; k=rsa; p="
    directory.mkdir(parents=True, exist_ok=True)
    if spec.algorithm == "ed25519":
        ed_key = ed25519.Ed25519PrivateKey.generate()
        # RFC 8463: the bare 32-byte public key, not a SubjectPublicKeyInfo.
        public = ed_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        private_pem = ed_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    else:
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=spec.bits)
        public = rsa_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        private_pem = rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    (directory / f"{stem}.key").write_bytes(private_pem)
    k = "ed25519" if spec.algorithm == "ed25519" else "rsa"
    return f"v=DKIM1; k={k}; p={base64.b64encode(public).decode('ascii')}"


def openpgp_key(address: str, out: Path) -> None:
    """Write a real binary OpenPGP public key (Ed25519, user ID with `address`) made by gpg.

    gpg runs in a throw-away GNUPGHOME; its agent is stopped before returning so that no
    process outlives the call.
    """
    gpg = shutil.which("gpg")
    gpgconf = shutil.which("gpgconf")
    if gpg is None or gpgconf is None:
        raise RuntimeError("gpg is missing: run .ci/install-testnet.sh as root (Debian: gnupg)")
    home = tempfile.mkdtemp(prefix="mailvet-gnupg-")
    env = {**os.environ, "GNUPGHOME": home}
    base = [gpg, "--batch", "--quiet", "--no-tty"]
    try:
        procs.run(
            [
                *base,
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--quick-gen-key",
                f"Test user <{address}>",
                "ed25519",
                "sign",
                "never",
            ],
            env=env,
        )
        exported = procs.run(
            [*base, "--export", "--export-options", "export-minimal", address], env=env
        )
        if not exported:
            raise RuntimeError(f"gpg exported no key for {address}")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(exported)
    finally:
        with contextlib.suppress(RuntimeError):
            procs.run([gpgconf, "--homedir", home, "--kill", "all"], env=env)
        shutil.rmtree(home, ignore_errors=True)
