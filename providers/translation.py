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

register_translated(PageText, "title", "body")
register_translated(RecommendationGroup, "name", "intro")
register_translated(Service, "summary", "description", "hq_city", "pricing_notes")
register_translated(FeatureGroup, "name")
register_translated(Feature, "name", "help_text")
register_translated(FeatureChoice, "name")
register_translated(FeatureValue, "note")
register_translated(ServiceSection, "heading", "body")
register_translated(FreeFeature, "text")
