"""Demo services that point at the local test network, so "Audit now" shows real results offline.

`python -m tests.testnet demo-services` (run by `make demo`) creates or updates three published
email providers whose domains are good.test, weak.test and broken.test, with the inputs the
checks need (web and submission hosts, DKIM selectors, a WKD address). Idempotent.
"""

from __future__ import annotations

import os

from tests.testnet.zones import DOMAINS

DEMO = {"good.test": "Good Mail", "weak.test": "Weak Mail", "broken.test": "Broken Mail"}


def load_demo_services() -> list[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.utils import timezone

    from portal.publishing import PublicationState
    from providers.models import Service, ServiceDomain, ServiceKind

    created = []
    for domain in (d for d in DOMAINS if d.name in DEMO):
        name = DEMO[domain.name]
        service, _ = Service.objects.update_or_create(
            slug=f"testnet-{domain.name.split('.')[0]}",
            defaults={
                "kind": ServiceKind.PROVIDER,
                "name": f"{name} (test network)",
                "summary_en": f"A demo provider on the local test network ({domain.name}).",
                "state": PublicationState.PUBLISHED,
                "published_at": timezone.now(),
            },
        )
        wanted = [
            (domain.name, ServiceDomain.Role.MAIL),
            (domain.web, ServiceDomain.Role.WEB),
            (domain.submission, ServiceDomain.Role.SUBMISSION),
        ]
        ServiceDomain.objects.filter(service=service).delete()
        for host, role in wanted:
            if not host:
                continue
            mail = role == ServiceDomain.Role.MAIL
            ServiceDomain.objects.create(
                service=service,
                name=host,
                role=role,
                dkim_selectors=",".join(domain.dkim_selectors) if mail else "",
                wkd_address=(domain.wkd_address or "") if mail else "",
            )
        created.append(service.slug)
    return created
