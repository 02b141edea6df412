"""Sign-in through an organisation's identity provider (OpenID Connect or SAML 2.0).

An `IdentityProvider` is one way to sign in; its `MappingRule`s say which people it signs in
get which role in which organisation. Providers can also be given in the environment
(`LABB_IDENTITY_PROVIDERS`, see accounts/providers.py); both kinds are read through
`accounts.providers`. An `ExternalIdentity` links a Labb user to the provider's subject (the
`sub` claim, or the SAML NameID): a user is found again by it, never by e-mail address.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from challenges.models import Membership, Organisation


class IdentityProvider(models.Model):
    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_("Part of the sign-in addresses, e.g. “region” gives /signin/region/."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Shown on the sign-in button, e.g. “Region X”.")
    )
    protocol = models.CharField(_("protocol"), max_length=10, choices=Protocol.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    # OpenID Connect
    discovery_url = models.URLField(
        _("discovery URL"),
        blank=True,
        help_text=_(
            "OpenID Connect: the provider's .well-known/openid-configuration address. "
            "For Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0/"
            ".well-known/openid-configuration"
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=255, blank=True)
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    scopes = models.CharField(_("scopes"), max_length=255, default="openid email profile")
    # SAML 2.0
    saml_metadata_url = models.URLField(
        _("SAML metadata URL"), blank=True, help_text=_("The identity provider's metadata.")
    )
    saml_metadata_xml = models.TextField(
        _("SAML metadata (XML)"),
        blank=True,
        help_text=_("Paste the identity provider's metadata here if it has no address."),
    )
    # Claims (OIDC) or attributes (SAML)
    email_claim = models.CharField(
        _("e-mail claim or attribute"),
        max_length=255,
        default="email",
        help_text=_("Entra ID: email or preferred_username. SAML: e.g. mail."),
    )
    groups_claim = models.CharField(
        _("group claim or attribute"),
        max_length=255,
        default="groups",
        help_text=_("The claim that lists the person's groups or roles, e.g. groups or roles."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.protocol == self.Protocol.OIDC and not (self.discovery_url and self.client_id):
            raise ValidationError(
                _("OpenID Connect needs a discovery URL and a client ID."), code="oidc"
            )
        if self.protocol == self.Protocol.SAML and not (
            self.saml_metadata_url or self.saml_metadata_xml
        ):
            raise ValidationError(_("SAML needs the provider's metadata."), code="saml")


class MappingRule(models.Model):
    """People signed in by `provider` whose e-mail domain is `email_domain` (if given) and
    who are in `group` (if given) get `role` in `organisation`. At least one condition."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="rules")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sign_in_rules"
    )
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    email_domain = models.CharField(
        _("e-mail domain"),
        max_length=253,
        blank=True,
        help_text=_("e.g. region.se (the part after @, exactly)."),
    )
    group = models.CharField(
        _("group or role"),
        max_length=255,
        blank=True,
        help_text=_("A value of the group claim, e.g. an Entra ID group's object ID."),
    )

    class Meta:
        verbose_name = _("mapping rule")
        verbose_name_plural = _("mapping rules")

    def __str__(self) -> str:
        return f"{self.provider} → {self.organisation} ({self.get_role_display()})"

    def clean(self) -> None:
        self.email_domain = self.email_domain.strip().lower().lstrip("@")
        if not self.email_domain and not self.group.strip():
            raise ValidationError(
                _(
                    "Give an e-mail domain, a group, or both: a rule without either would let "
                    "everyone the provider knows in."
                ),
                code="no_condition",
            )


class ExternalIdentity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    provider = models.CharField(_("identity provider"), max_length=50)
    subject = models.CharField(_("subject"), max_length=255)
    first_seen = models.DateTimeField(_("first sign-in"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last sign-in"), auto_now=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="unique_external_subject")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class SamlSession(models.Model):
    """A Labb session started by a SAML sign-in: the IdP's NameID and session index that
    created it, so that a LogoutRequest from the IdP can end it (single logout)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saml_sessions"
    )
    provider = models.CharField(_("identity provider"), max_length=50)
    name_id = models.CharField(_("NameID"), max_length=255)
    session_index = models.CharField(_("session index"), max_length=255, blank=True)
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("SAML session")
        verbose_name_plural = _("SAML sessions")
        indexes = [models.Index(fields=["provider", "name_id"])]

    def __str__(self) -> str:
        return f"{self.provider}:{self.name_id}"
