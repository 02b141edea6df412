"""The identity providers of this server, from the database (edited in the admin) and from
the environment (`LABB_IDENTITY_PROVIDERS`, a JSON list), read as one kind of `Provider`.

An environment entry looks like this (README.md, "Signing in with your organisation"):

    {"slug": "region", "name": "Region X", "protocol": "oidc",
     "discovery_url": "https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration",
     "client_id": "…", "client_secret": "…",
     "email_claim": "email", "groups_claim": "groups",
     "rules": [{"organisation": "region-x", "role": "facilitator", "group": "<group id>"},
               {"organisation": "region-x", "role": "staff", "email_domain": "region.se"}]}

A slug given in the environment hides a database provider with the same slug.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.models import IdentityProvider
from challenges.models import Membership

OIDC = IdentityProvider.Protocol.OIDC.value
SAML = IdentityProvider.Protocol.SAML.value


@dataclass(frozen=True)
class Rule:
    organisation: str  # the organisation's slug
    role: str
    email_domain: str = ""
    group: str = ""

    def matches(self, *, email_domain: str, groups: frozenset[str]) -> bool:
        return (not self.email_domain or self.email_domain == email_domain) and (
            not self.group or self.group in groups
        )


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    protocol: str
    rules: tuple[Rule, ...] = ()
    discovery_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    scopes: str = "openid email profile"
    saml_metadata_url: str = ""
    saml_metadata_xml: str = ""
    email_claim: str = "email"
    groups_claim: str = "groups"


def _rule(data: dict, where: str) -> Rule:
    if not isinstance(data, dict) or not data.get("organisation") or not data.get("role"):
        raise ImproperlyConfigured(f"{where}: a rule needs 'organisation' and 'role'")
    if data["role"] not in Membership.Role.values:
        raise ImproperlyConfigured(
            f"{where}: role must be one of {', '.join(Membership.Role.values)}"
        )
    domain = str(data.get("email_domain", "")).strip().lower().lstrip("@")
    group = str(data.get("group", "")).strip()
    if not domain and not group:
        raise ImproperlyConfigured(f"{where}: a rule needs an email_domain, a group, or both")
    return Rule(str(data["organisation"]), data["role"], domain, group)


def from_environment() -> list[Provider]:
    """The providers in settings.LABB_IDENTITY_PROVIDERS; a mistake raises
    ImproperlyConfigured (the system check `accounts.E001` reports it at start-up)."""
    providers = []
    for index, data in enumerate(settings.LABB_IDENTITY_PROVIDERS):
        where = f"LABB_IDENTITY_PROVIDERS[{index}]"
        if not isinstance(data, dict):
            raise ImproperlyConfigured(f"{where} must be an object")
        known = {f for f in Provider.__dataclass_fields__ if f != "rules"}
        unknown = set(data) - known - {"rules"}
        if unknown:
            raise ImproperlyConfigured(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("slug", "name", "protocol"):
            if not data.get(key):
                raise ImproperlyConfigured(f"{where}: '{key}' is required")
        if data["protocol"] == OIDC and not (data.get("discovery_url") and data.get("client_id")):
            raise ImproperlyConfigured(f"{where}: OIDC needs discovery_url and client_id")
        if data["protocol"] == SAML and not (
            data.get("saml_metadata_url") or data.get("saml_metadata_xml")
        ):
            raise ImproperlyConfigured(f"{where}: SAML needs saml_metadata_url or _xml")
        if data["protocol"] not in {OIDC, SAML}:
            raise ImproperlyConfigured(f"{where}: protocol must be 'oidc' or 'saml'")
        rules = tuple(_rule(rule, where) for rule in data.get("rules", []))
        providers.append(Provider(**{k: v for k, v in data.items() if k != "rules"}, rules=rules))
    return providers


def _from_row(row: IdentityProvider) -> Provider:
    return Provider(
        slug=row.slug,
        name=row.name,
        protocol=row.protocol,
        rules=tuple(
            Rule(r.organisation.slug, r.role, r.email_domain.lower(), r.group)
            for r in row.rules.all()
        ),
        discovery_url=row.discovery_url,
        client_id=row.client_id,
        client_secret=row.client_secret,
        scopes=row.scopes,
        saml_metadata_url=row.saml_metadata_url,
        saml_metadata_xml=row.saml_metadata_xml,
        email_claim=row.email_claim,
        groups_claim=row.groups_claim,
    )


def enabled_providers() -> list[Provider]:
    """Every provider people may sign in with, in the order of the sign-in page."""
    env = from_environment()
    env_slugs = {p.slug for p in env}
    rows = (
        IdentityProvider.objects.filter(enabled=True)
        .exclude(slug__in=env_slugs)
        .prefetch_related("rules__organisation")
    )
    return env + [_from_row(row) for row in rows]


def get_provider(slug: str, *, protocol: str | None = None) -> Provider | None:
    for provider in enabled_providers():
        if provider.slug == slug and protocol in {None, provider.protocol}:
            return provider
    return None
