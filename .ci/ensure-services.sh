#!/usr/bin/env bash
# Make sure what the test suite talks to is installed and running: PostgreSQL, Redis and the
# system tools (gettext for the message catalogues). Safe to run again; needs root to install.
set -euo pipefail

# chromium: the browser tests (Playwright drives Debian's build; it downloads none of its own).
APT_PACKAGES=(gettext postgresql redis-server chromium)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else echo "skipped (needs root): $*" >&2; fi; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  # Wait for a dpkg lock held by another install (unattended upgrades, a second run).
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}"
fi

wait_for() {  # wait_for NAME COMMAND...: poll up to 30 s
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && { echo "$name is up"; return 0; }; sleep 0.5; done
  echo "$name did not come up" >&2; return 1
}

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "Starting PostgreSQL"
  cluster_version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start || true
fi
wait_for PostgreSQL pg_isready -h 127.0.0.1 -p 5432
# The suite connects as "postgres" over TCP; a fresh Debian cluster wants a password there.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | sort -V | tail -n 1)
  echo "Allowing trust auth for local TCP connections in $hba"
  as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main reload
  wait_for "PostgreSQL (trust)" psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1'
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "Starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
wait_for Redis sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'
