from portal.translation_support import register_translated

from .models import Assessment, Criterion, CriterionGroup

register_translated(CriterionGroup, "name", "intro", "minimum_note", natural_key=("key",))
register_translated(Criterion, "text", "retired_reason", natural_key=("key",))
# Editorial assessments only: an automated one's note is machine output.
register_translated(
    Assessment,
    "note",
    natural_key=("service__slug", "criterion__key", "source"),
    only={"source": "editorial"},
)
