import pytest
from django.core.exceptions import ValidationError

from criteria.models import Assessment, Verdict
from providers.models import Feature, FeatureChoice, FeatureValue, RecommendationGroup, ServiceKind
from tests.factories import make_criterion, make_feature, make_service


def test_boolean_feature_needs_yes_or_no(db):
    value = FeatureValue(service=make_service(), feature=make_feature(Feature.Kind.BOOLEAN))
    with pytest.raises(ValidationError, match="yes or no"):
        value.full_clean()
    value.bool_value = True
    value.full_clean()


def test_number_feature_takes_a_number_or_unlimited_not_both(db):
    value = FeatureValue(service=make_service(), feature=make_feature(Feature.Kind.NUMBER))
    with pytest.raises(ValidationError):
        value.full_clean()
    value.number_value, value.unlimited = 20, True
    with pytest.raises(ValidationError, match="either a number or unlimited"):
        value.full_clean()
    value.unlimited = False
    value.full_clean()


def test_feature_must_apply_to_the_kind_of_service(db):
    feature = make_feature(Feature.Kind.BOOLEAN, applies_to=[ServiceKind.ALIASING])
    value = FeatureValue(
        service=make_service(kind=ServiceKind.PROVIDER), feature=feature, bool_value=True
    )
    with pytest.raises(ValidationError, match="does not apply"):
        value.full_clean()


def test_choices_must_belong_to_the_feature_and_match_its_kind(db):
    single = make_feature(Feature.Kind.CHOICE)
    multi = make_feature(Feature.Kind.MULTICHOICE)
    a = FeatureChoice.objects.create(feature=single, key="a", name_en="A")
    b = FeatureChoice.objects.create(feature=single, key="b", name_en="B")
    foreign = FeatureChoice.objects.create(feature=multi, key="x", name_en="X")
    FeatureValue.validate_choices(single, [a])
    with pytest.raises(ValidationError, match="exactly one"):
        FeatureValue.validate_choices(single, [a, b])
    with pytest.raises(ValidationError, match="another feature"):
        FeatureValue.validate_choices(single, [foreign])
    with pytest.raises(ValidationError, match="at least one"):
        FeatureValue.validate_choices(multi, [])


def test_service_group_must_hold_its_kind(db):
    group = RecommendationGroup.objects.create(
        key="aliases", kind=ServiceKind.ALIASING, name_en="A"
    )
    service = make_service(kind=ServiceKind.PROVIDER, group=group)
    with pytest.raises(ValidationError, match="another kind"):
        service.full_clean()


def test_retired_criterion_needs_a_reason_and_is_not_assessed(db):
    criterion = make_criterion(retired=True)
    with pytest.raises(ValidationError, match="why"):
        criterion.full_clean()
    criterion.retired_reason_en = "Deprecated."
    criterion.full_clean()
    assessment = Assessment(service=make_service(), criterion=criterion, verdict=Verdict.MET)
    with pytest.raises(ValidationError, match="no longer assessed"):
        assessment.full_clean()


def test_criteria_nest_one_level_within_group_and_level(db):
    parent = make_criterion(level="minimum")
    child = make_criterion(level="minimum", parent=parent, group=parent.group)
    grandchild = make_criterion(level="minimum", parent=child, group=parent.group)
    with pytest.raises(ValidationError, match="one level"):
        grandchild.full_clean()
    wrong_level = make_criterion(level="best", parent=parent, group=parent.group)
    with pytest.raises(ValidationError, match="parent's group and level"):
        wrong_level.full_clean()


def test_editorial_and_automated_assessments_coexist_but_not_twice(db):
    from django.db import IntegrityError, transaction

    service, criterion = make_service(), make_criterion()
    Assessment.objects.create(service=service, criterion=criterion, source="editorial")
    Assessment.objects.create(service=service, criterion=criterion, source="automated")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(service=service, criterion=criterion, source="automated")
