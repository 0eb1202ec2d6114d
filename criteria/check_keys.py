"""The keys of the automated checks a criterion can point at.

They are fixed: the API, the criteria and the audit engine all refer to them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckKey(models.TextChoices):
    DNSSEC = "dnssec", "DNSSEC"
    MX = "mx", "MX"
    SPF = "spf", "SPF"
    DMARC = "dmarc", "DMARC"
    DKIM = "dkim", "DKIM"
    MTA_STS = "mta_sts", "MTA-STS"
    TLS_RPT = "tls_rpt", "TLS-RPT"
    DANE = "dane", "DANE"
    CAA = "caa", "CAA"
    STARTTLS = "starttls", "STARTTLS"
    SMTPS_SUBMISSION = "smtps_submission", _("SMTPS submission")
    TLS_WEB = "tls_web", _("TLS (web)")
    TLS_MAIL = "tls_mail", _("TLS (mail)")
    HSTS = "hsts", "HSTS"
    CSP = "csp", _("Content Security Policy")
    SRI = "sri", _("Subresource Integrity")
    HTTPS_REDIRECT = "https_redirect", _("HTTPS redirect")
    WKD = "wkd", _("Web Key Directory")
    EXPECT_CT = "expect_ct", "Expect-CT"
