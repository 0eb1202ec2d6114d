"""The ONLY code that touches the network for the checks: dns.py, http.py, smtp.py, tls.py.

Every module here reads its limits from NetConfig (config.py) and refuses private targets through
guard.py unless AUDIT_ALLOW_PRIVATE_NETWORKS is set (tests and demos only)."""
