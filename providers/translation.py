from portal.translation_support import register_translated

from .models import (
    Feature,
    FeatureChoice,
    FeatureGroup,
    FeatureValue,
    FreeFeature,
    PageText,
    RecommendationGroup,
    Service,
    ServiceSection,
)

register_translated(PageText, "title", "body", natural_key=("key",))
register_translated(RecommendationGroup, "name", "intro", natural_key=("key",))
register_translated(
    Service, "summary", "description", "hq_city", "pricing_notes", natural_key=("slug",)
)
register_translated(FeatureGroup, "name", natural_key=("key",))
register_translated(Feature, "name", "help_text", natural_key=("key",))
register_translated(FeatureChoice, "name", natural_key=("feature__key", "key"))
register_translated(FeatureValue, "note", natural_key=("service__slug", "feature__key"))
register_translated(ServiceSection, "heading", "body", natural_key=("service__slug", "group__key"))
register_translated(FreeFeature, "text", natural_key=("service__slug", "order"))
