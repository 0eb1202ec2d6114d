"""The two editorial roles, kept in sync with the code after every migrate.

Editors write and submit for review; publishers can also publish, send back and retire. Operators
are superusers. Keeping the permission lists here (not in a data migration) means a new model's
permissions reach the roles on the next migrate without a hand-written migration.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate
from django.dispatch import receiver

EDITORS = "Editors"
PUBLISHERS = "Publishers"

# Models editors curate, by app label. Editors may view, add and change all of them and delete
# the parts of a service (links, downloads, ...), but not services or criteria themselves:
# those are retired, so history and the public record stay whole.
CURATED_MODELS: dict[str, list[str]] = {
    "providers": [
        "service",
        "servicelink",
        "servicedownload",
        "servicedomain",
        "servicesection",
        "featurevalue",
        "freefeature",
        "feature",
        "featurechoice",
        "featuregroup",
        "recommendationgroup",
        "pagetext",
    ],
    "criteria": ["criterion", "criteriongroup", "assessment"],
}
NOT_DELETABLE_BY_EDITORS = {"service", "criterion", "feature", "featuregroup", "criteriongroup"}
PUBLISH_PERMISSIONS = [
    ("providers", "publish_service"),
    ("criteria", "publish_criterion"),
    # Changes to live content without a workflow of its own (page texts, features, ...).
    ("portal", "publish_revision"),
]
# Both roles see the queue of pending revisions; revisions change only through the workflow.
REVIEW_PERMISSIONS = [("portal", "view_revision")]
# Audits are machine output: editors and publishers read them and ask for a run, nobody edits
# them by hand.
AUDIT_PERMISSIONS = [
    ("audits", "view_auditrun"),
    ("audits", "view_auditresult"),
    ("audits", "view_alert"),
    ("audits", "request_audit"),
]


def editor_permissions() -> list[Permission]:
    codenames: list[tuple[str, str]] = []
    for app_label, models in CURATED_MODELS.items():
        for model in models:
            actions = ["view", "add", "change"]
            if model not in NOT_DELETABLE_BY_EDITORS:
                actions.append("delete")
            codenames += [(app_label, f"{action}_{model}") for action in actions]
            codenames.append((app_label, f"view_historical{model}"))
    return _permissions(codenames + AUDIT_PERMISSIONS + REVIEW_PERMISSIONS)


def publisher_permissions() -> list[Permission]:
    return editor_permissions() + _permissions(PUBLISH_PERMISSIONS)


def _permissions(pairs: list[tuple[str, str]]) -> list[Permission]:
    wanted = set(pairs)
    found = [
        p
        for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted
    ]
    return found


def sync_roles() -> None:
    Group.objects.get_or_create(name=EDITORS)[0].permissions.set(editor_permissions())
    Group.objects.get_or_create(name=PUBLISHERS)[0].permissions.set(publisher_permissions())


@receiver(post_migrate)
def _sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate fires once per app, in INSTALLED_APPS order; the roles only need the last of
    # the project's apps, audits, by which time every permission they name exists.
    if getattr(sender, "name", "") == "audits":
        sync_roles()
