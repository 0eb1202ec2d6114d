#!/usr/bin/env bash
# Install what the local test network (tests/testnet/) runs: Knot (authoritative DNS, keymgr),
# Unbound (validating resolver), ldns tools and GnuPG (the WKD key). Safe to run again: it only
# touches apt when a package is missing. Needs root to install; without root it says what is missing.
set -euo pipefail

APT_PACKAGES=(knot knot-dnsutils unbound ldnsutils gnupg)
# Independent tools that bench/bench_peers.py compares our verdicts with: delv validates DNSSEC
# itself, testssl.sh profiles TLS (the tool the criteria name). Not needed by the tests.
APT_PACKAGES+=(bind9-dnsutils testssl.sh)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "Test network packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing (run this script as root to install): ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
apt-get -o DPkg::Lock::Timeout=600 update -qq
# The Debian packages start knotd/unbound as system services where systemd runs; the test network
# starts its own instances on other ports, so a running system service does not get in the way.
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
