"""The identity-provider protocols, imported at their first use.

Every web process resolves URLs, so it imports `accounts.views`; importing OpenID Connect
(Authlib, requests, joserfc, cryptography) and SAML (pysaml2, xmlschema, elementpath) with
it cost each process about 28 MB of memory and 570 modules (100.7 -> 128.5 MB RSS after the
first request), while most processes only ever serve phones and screens. A process imports
them when someone first signs in through a provider.
"""

from __future__ import annotations

from importlib import import_module

from django.utils.functional import SimpleLazyObject

oidc = SimpleLazyObject(lambda: import_module("accounts.oidc"))
saml = SimpleLazyObject(lambda: import_module("accounts.saml"))
