from portal.translation_support import register_translated

from .models import Assessment, Criterion, CriterionGroup

register_translated(CriterionGroup, "name", "intro", "minimum_note")
register_translated(Criterion, "text", "retired_reason")
register_translated(Assessment, "note")
