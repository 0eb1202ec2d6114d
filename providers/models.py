"""Services (providers, aliasing services, self-hosted software) and what is known about them.

Translated fields (see translation.py) get one column per language from django-modeltranslation;
English is the fallback for every one of them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from portal.publishing import Publishable, PublishableQuerySet

from .domains import validate_dkim_selectors, validate_domain_name
from .logos import LogoField, logo_storage


class ServiceKind(models.TextChoices):
    PROVIDER = "provider", _("Email provider")
    ALIASING = "aliasing", _("Email aliasing service")
    SELF_HOSTED = "self_hosted", _("Self-hosted software")


class Status(models.TextChoices):
    """The icons of the recommendation document: how good a fact is for the user's privacy."""

    GOOD = "good", _("Good")
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    BAD = "bad", _("Bad")


class Placement(models.TextChoices):
    HOME = "home", _("Home page")
    PROVIDERS = "providers", _("Email providers page")
    ALIASING = "aliasing", _("Aliasing services page")
    SELF_HOSTING = "self_hosting", _("Self-hosting page")
    CRITERIA = "criteria", _("Criteria page")


class OrderedQuerySet(models.QuerySet):
    def in_order(self) -> OrderedQuerySet:
        return self.order_by("order", "pk")


class PageText(models.Model):
    """An introduction, warning or note of a public page, in the document's order."""

    class Kind(models.TextChoices):
        INTRO = "intro", _("Introduction")
        WARNING = "warning", _("Warning")
        NOTE = "note", _("Note")
        FURTHER_READING = "further_reading", _("Further reading")

    key = models.SlugField(_("key"), max_length=80, unique=True)
    placement = models.CharField(_("placement"), max_length=16, choices=Placement.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INTRO)
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), help_text=_("Markdown: paragraphs, lists, bold and links."))
    history = HistoricalRecords()

    objects = OrderedQuerySet.as_manager()

    class Meta:
        ordering = ["placement", "order", "pk"]
        verbose_name = _("page text")
        verbose_name_plural = _("page texts")

    def __str__(self) -> str:
        return self.key


class RecommendationGroup(models.Model):
    """A heading the document groups services under, e.g. "OpenPGP-compatible services"."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    kind = models.CharField(_("kind of service"), max_length=16, choices=ServiceKind.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    history = HistoricalRecords()

    objects = OrderedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("recommendation group")
        verbose_name_plural = _("recommendation groups")

    def __str__(self) -> str:
        return self.name


class ServiceQuerySet(PublishableQuerySet):
    def providers(self) -> ServiceQuerySet:
        return self.filter(kind=ServiceKind.PROVIDER)

    def aliasing(self) -> ServiceQuerySet:
        return self.filter(kind=ServiceKind.ALIASING)

    def self_hosted(self) -> ServiceQuerySet:
        return self.filter(kind=ServiceKind.SELF_HOSTED)


class Service(Publishable):
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    group = models.ForeignKey(
        RecommendationGroup,
        verbose_name=_("recommendation group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    order = models.PositiveIntegerField(
        _("order"),
        default=0,
        help_text=_(
            "Equal-ranked services are shuffled on the public site; this orders the admin."
        ),
    )
    summary = models.TextField(_("summary"), help_text=_("The recommendation card's text."))
    description = models.TextField(_("description"), blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1970), MaxValueValidator(2100)],
    )
    hq_country = CountryField(_("headquarters country"), blank=True)
    hq_city = models.CharField(_("headquarters city"), max_length=120, blank=True)
    free_plan = models.BooleanField(
        _("free plan"), null=True, blank=True, help_text=_("Leave unknown when no source says.")
    )
    free_storage_mb = models.PositiveIntegerField(_("free storage (MB)"), null=True, blank=True)
    storage_mb = models.PositiveIntegerField(
        _("starting storage (MB)"),
        null=True,
        blank=True,
        help_text=_("Storage the smallest account starts with, free or paid."),
    )
    trial_days = models.PositiveSmallIntegerField(_("trial (days)"), null=True, blank=True)
    pricing_notes = models.TextField(_("plans and prices"), blank=True)
    # Cleaned on upload and stored under a name made from its content (providers/logos.py).
    logo = LogoField(
        _("logo"),
        upload_to="logos/",
        storage=logo_storage,
        blank=True,
        help_text=_(
            "An SVG, PNG, WebP or JPEG file. An SVG is rebuilt without scripts or links; an "
            "image is scaled to at most 256 × 256 pixels and stored without its metadata."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "order", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        permissions = [("publish_service", _("Can publish, send back and retire services"))]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.group_id and self.group.kind != self.kind:
            raise ValidationError({"group": _("This group holds services of another kind.")})
        if self.free_plan is False and self.free_storage_mb:
            raise ValidationError(
                {"free_storage_mb": _("A service without a free plan has no free storage.")}
            )


class ServiceLink(models.Model):
    class Kind(models.TextChoices):
        HOMEPAGE = "homepage", _("Homepage")
        ONION = "onion", _("Onion service")
        PRIVACY_POLICY = "privacy_policy", _("Privacy policy")
        DOCUMENTATION = "documentation", _("Documentation")
        SOURCE_CODE = "source_code", _("Source code")
        CONTRIBUTE = "contribute", _("Contribute")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Onion addresses are http:// with a .onion host; URLField accepts them.
    url = models.URLField(_("URL"), max_length=500)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["service", "kind"], name="one_link_of_each_kind"),
        ]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        return f"{self.service}: {self.get_kind_display()}"


class ServiceDownload(models.Model):
    class Platform(models.TextChoices):
        ANDROID = "android", _("Android")
        IOS = "ios", _("iOS")
        WINDOWS = "windows", _("Windows")
        MACOS = "macos", _("macOS")
        LINUX = "linux", _("Linux")
        WEB = "web", _("Web")
        BROWSER_EXTENSION = "browser_extension", _("Browser extension")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="downloads")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    label = models.CharField(
        _("label"),
        max_length=80,
        help_text=_('Where it comes from, e.g. "Google Play", "GitHub", "Firefox".'),
    )
    url = models.URLField(_("URL"), max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "url", "label"], name="unique_download"),
        ]
        verbose_name = _("download")
        verbose_name_plural = _("downloads")

    def __str__(self) -> str:
        return f"{self.service}: {self.label} ({self.get_platform_display()})"


class ServiceDomain(models.Model):
    """A domain or host the automated checks audit for a service."""

    class Role(models.TextChoices):
        MAIL = "mail", _("Mail domain")
        WEB = "web", _("Webmail / web host")
        ALIAS = "alias", _("Alias domain")
        SUBMISSION = "submission", _("Submission host")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(_("domain"), max_length=253, validators=[validate_domain_name])
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    dkim_selectors = models.CharField(
        _("DKIM selectors"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated selectors to check besides the common ones."),
    )
    wkd_address = models.EmailField(
        _("WKD test address"),
        blank=True,
        help_text=_("An address whose key should be in the Web Key Directory."),
    )
    audit_enabled = models.BooleanField(_("audit"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "role", "name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name", "role"], name="unique_domain_role"),
        ]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.name = self.name.strip().rstrip(".").lower()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # Selectors are DNS labels (RFC 6376 3.1); checked here rather than as a field validator,
        # which would need a migration for no change in the database.
        try:
            validate_dkim_selectors(self.dkim_selectors)
        except ValidationError as exc:
            raise ValidationError({"dkim_selectors": exc}) from exc

    @property
    def selector_list(self) -> list[str]:
        return [s.strip() for s in self.dkim_selectors.split(",") if s.strip()]


class FeatureGroup(models.Model):
    key = models.SlugField(_("key"), max_length=80, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    history = HistoricalRecords()

    objects = OrderedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("feature group")
        verbose_name_plural = _("feature groups")

    def __str__(self) -> str:
        return self.name


class Feature(models.Model):
    """One typed, filterable property in the catalogue, e.g. "OpenPGP" (yes/no)."""

    class Kind(models.TextChoices):
        BOOLEAN = "boolean", _("Yes / no")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("One choice")
        MULTICHOICE = "multichoice", _("Several choices")

    key = models.SlugField(
        _("key"),
        max_length=80,
        unique=True,
        help_text=_("Stable identifier used by filters and the API."),
    )
    group = models.ForeignKey(FeatureGroup, on_delete=models.PROTECT, related_name="features")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    applies_to = models.JSONField(
        _("applies to"),
        default=list,
        help_text=_("Kinds of service this feature describes: provider, aliasing, self_hosted."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    help_text = models.TextField(_("explanation"), blank=True)
    history = HistoricalRecords()

    objects = OrderedQuerySet.as_manager()

    class Meta:
        ordering = ["group__order", "order", "pk"]
        verbose_name = _("feature")
        verbose_name_plural = _("features")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.applies_to or []) - set(ServiceKind.values)
        if unknown:
            raise ValidationError(
                {"applies_to": _("Unknown kinds: %s") % ", ".join(sorted(unknown))}
            )

    @property
    def has_choices(self) -> bool:
        return self.kind in {self.Kind.CHOICE, self.Kind.MULTICHOICE}


class FeatureChoice(models.Model):
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(_("key"), max_length=80)
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["feature", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["feature", "key"], name="unique_choice_key"),
        ]
        verbose_name = _("feature choice")
        verbose_name_plural = _("feature choices")

    def __str__(self) -> str:
        return self.name


class FeatureValue(models.Model):
    """What one service offers for one feature, with the source that backs it."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="feature_values")
    feature = models.ForeignKey(Feature, on_delete=models.PROTECT, related_name="values")
    bool_value = models.BooleanField(_("yes / no"), null=True, blank=True)
    number_value = models.DecimalField(
        _("number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unlimited = models.BooleanField(
        _("unlimited"),
        default=False,
        help_text=_("For numbers: no limit (filters treat it as infinite)."),
    )
    choices = models.ManyToManyField(
        FeatureChoice, verbose_name=_("choices"), blank=True, related_name="values"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[choices])

    class Meta:
        # Total (a feature's key is unique): features of equal order kept one order on SQLite
        # and another, any other, on PostgreSQL, so a service's API representation changed
        # between two readings of the same data.
        ordering = ["service", "feature__group__order", "feature__order", "feature__key"]
        constraints = [
            models.UniqueConstraint(fields=["service", "feature"], name="one_value_per_feature"),
        ]
        verbose_name = _("feature value")
        verbose_name_plural = _("feature values")

    def __str__(self) -> str:
        return f"{self.service}: {self.feature}"

    def clean(self) -> None:
        if not self.feature_id:
            return
        kind = self.feature.kind
        if kind == Feature.Kind.BOOLEAN and self.bool_value is None:
            raise ValidationError({"bool_value": _("A yes/no feature needs yes or no.")})
        if kind != Feature.Kind.BOOLEAN and self.bool_value is not None:
            raise ValidationError({"bool_value": _("Only yes/no features take yes or no.")})
        if kind == Feature.Kind.NUMBER:
            if self.number_value is None and not self.unlimited:
                raise ValidationError({"number_value": _("Give a number or tick unlimited.")})
            if self.number_value is not None and self.unlimited:
                raise ValidationError({"unlimited": _("A value is either a number or unlimited.")})
        elif self.number_value is not None or self.unlimited:
            raise ValidationError({"number_value": _("Only number features take a number.")})
        if (
            self.service_id
            and self.feature.applies_to
            and self.service.kind not in self.feature.applies_to
        ):
            raise ValidationError(
                {"feature": _("This feature does not apply to this kind of service.")}
            )

    @staticmethod
    def validate_choices(feature: Feature, chosen: list[FeatureChoice]) -> None:
        """Choices are many-to-many, so forms check them here once they have them."""
        if any(choice.feature_id != feature.pk for choice in chosen):
            raise ValidationError(_("A choice belongs to another feature."))
        if feature.kind == Feature.Kind.CHOICE and len(chosen) != 1:
            raise ValidationError(_("Pick exactly one choice."))
        if feature.kind == Feature.Kind.MULTICHOICE and not chosen:
            raise ValidationError(_("Pick at least one choice."))
        if not feature.has_choices and chosen:
            raise ValidationError(_("This feature takes no choices."))


class ServiceSection(models.Model):
    """A feature section of a service's write-up, with the status icon the document gives it."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sections")
    group = models.ForeignKey(FeatureGroup, on_delete=models.PROTECT, related_name="sections")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "group"], name="one_section_per_group"),
        ]
        verbose_name = _("feature section")
        verbose_name_plural = _("feature sections")

    def __str__(self) -> str:
        return f"{self.service}: {self.group}"


class FreeFeature(models.Model):
    """A line of an aliasing service's "notable free features" checklist."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="free_features")
    order = models.PositiveIntegerField(_("order"), default=0)
    included = models.BooleanField(_("included"))
    text = models.CharField(_("text"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["service", "order", "pk"]
        verbose_name = _("free feature")
        verbose_name_plural = _("free features")

    def __str__(self) -> str:
        return self.text
