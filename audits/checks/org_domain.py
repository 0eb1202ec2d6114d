"""The organizational domain of a name (RFC 7489 3.2), from the Public Suffix List.

The list is the copy bundled in the `publicsuffixlist` wheel: nothing is fetched at run time
(the checks' only network code is audits/net), and a new list arrives with a dependency update.
Both of the list's sections are used, as RFC 7489 3.2 takes "a public suffix list" whole: a
name under a private suffix such as github.io is its own organization.

Names under a top-level domain the list does not know, such as the test network's ".test"
(RFC 6761), follow the list's default rule "*": the last label is the public suffix, so the
organizational domain of mail.example.test is example.test without any special case.
"""

from __future__ import annotations

from functools import cache

from publicsuffixlist import PublicSuffixList


@cache
def _list() -> PublicSuffixList:
    # Parsing the bundled list takes a few tens of milliseconds: once per process.
    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    """RFC 7489 3.2: the public suffix plus one label; a public suffix is its own."""
    name = domain.rstrip(".").lower()
    return _list().privatesuffix(name) or name
