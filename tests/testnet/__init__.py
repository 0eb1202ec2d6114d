"""The local test network: Knot + Unbound, a test CA, HTTPS and SMTP servers on 127.x addresses.

Start by hand with `python -m tests.testnet up` (then `env`, `down`), or in pytest through the
session fixture in tests/testnet/fixtures.py. What exists and what the checks must find there is
described once, in tests/testnet/zones.py.
"""
