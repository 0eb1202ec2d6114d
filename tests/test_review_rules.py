"""Every row of the review rule table, for every role: who may move what, from where."""

import pytest
from django.contrib.auth import get_user_model

from portal.publishing import REVISION_TRANSITIONS, TRANSITIONS, refusal
from providers.models import PageText, Service

# (table, transition, state) -> roles allowed. Roles: editor, publisher, the publisher who
# submitted it (four-eyes), the editor who wrote it (author). Written out independently of the
# code's table so that a change to either shows here.
EXPECTED = {
    ("item", "submit", "draft"): {"editor", "publisher", "submitter", "author"},
    ("item", "withdraw", "in_review"): {"editor", "publisher", "submitter", "author"},
    ("item", "publish", "in_review"): {"publisher"},
    ("item", "retire", "published"): {"publisher", "submitter"},
    ("item", "reopen", "retired"): {"publisher", "submitter"},
    ("revision", "submit", "draft"): {"editor", "publisher", "submitter", "author"},
    ("revision", "withdraw", "in_review"): {"editor", "publisher", "submitter", "author"},
    ("revision", "publish", "in_review"): {"publisher"},
    ("revision", "discard", "draft"): {"publisher", "submitter", "author"},
    ("revision", "discard", "in_review"): {"publisher", "submitter", "author"},
}
ROLES = ("editor", "publisher", "submitter", "author")


def test_the_table_has_no_row_the_test_does_not_know():
    rows = {("item", t.name, state) for t in TRANSITIONS.values() for state in t.sources}
    rows |= {
        ("revision", t.name, state) for t in REVISION_TRANSITIONS.values() for state in t.sources
    }
    assert rows == set(EXPECTED)


@pytest.fixture
def people(editor, publisher):
    from portal.accounts import create_staff_member

    users = get_user_model().objects
    return {
        "editor": users.get(username=editor.username),
        "publisher": users.get(username=publisher.username),
        "submitter": users.get(username=create_staff_member("p-submitter", "publisher").username),
        "author": users.get(username=create_staff_member("e-author", "editor").username),
    }


@pytest.mark.parametrize("row", sorted(EXPECTED), ids="-".join)
@pytest.mark.parametrize("role", ROLES)
def test_rule(people, row, role):
    table, name, state = row
    transition = (TRANSITIONS if table == "item" else REVISION_TRANSITIONS)[name]
    model = Service if table == "item" else PageText
    reason = refusal(
        transition,
        people[role],
        model,
        state,
        submitted_by_id=people["submitter"].pk,
        author_id=people["author"].pk,
    )
    allowed = role in EXPECTED[row]
    assert (reason is None) == allowed, reason


@pytest.mark.parametrize("table", ["item", "revision"])
def test_no_transition_from_a_state_it_does_not_start_in(people, table):
    transitions = TRANSITIONS if table == "item" else REVISION_TRANSITIONS
    for transition in transitions.values():
        for state in {"draft", "in_review", "published", "retired", "discarded"} - set(
            transition.sources
        ):
            assert refusal(transition, people["publisher"], Service, state) is not None
