"""Sign-in and sign-out: the sign-in page (organisation buttons and, unless switched off,
the password form), OpenID Connect and SAML 2.0 flows, and sign-out with single logout."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.failures import Failure, SignInFailed, failure_page
from accounts.lazy import oidc, saml
from accounts.models import SamlSession
from accounts.providers import OIDC, SAML, Provider, enabled_providers, get_provider
from accounts.signin import Person, user_sign_in

BACKEND = "accounts.backends.ExternalIdentityBackend"
NEXT_KEY = "accounts_next"
SIGNED_IN_WITH = "accounts_signed_in_with"
SAML_COOKIE = "labb_saml_request"


def absolute(request: HttpRequest, url: str) -> str:
    if settings.LABB_PUBLIC_URL:
        return settings.LABB_PUBLIC_URL + url
    return request.build_absolute_uri(url)


class LoginPage(auth_views.LoginView):
    """The sign-in page: a button per identity provider, and the password form while
    LABB_PASSWORD_LOGIN is on."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            providers=enabled_providers(),
            password_login=settings.LABB_PASSWORD_LOGIN,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not settings.LABB_PASSWORD_LOGIN:
            return failure_page(request, Failure.PASSWORD_LOGIN_OFF)
        return super().post(request, *args, **kwargs)


def _remember_next(request: HttpRequest) -> None:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_KEY] = target
    else:
        request.session.pop(NEXT_KEY, None)


def _finish(request: HttpRequest, provider: Provider, person: Person, **remember) -> HttpResponse:
    """Map the person, log them in (a new session key: no fixation) and go on."""
    user = user_sign_in(provider=provider, person=person)
    target = request.session.get(NEXT_KEY) or resolve_url(settings.LOGIN_REDIRECT_URL)
    login(request, user, backend=BACKEND)
    request.session.pop(NEXT_KEY, None)
    request.session[SIGNED_IN_WITH] = {"provider": provider.slug, **remember}
    if remember.get("protocol") == SAML:
        request.session.save()
        # Rows of sessions that have expired by now go (no session outlives the cookie age).
        SamlSession.objects.filter(
            created__lt=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
        ).delete()
        SamlSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={
                "user": user,
                "provider": provider.slug,
                "name_id": person.subject,
                "session_index": remember.get("session_index", ""),
            },
        )
    return redirect(target)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login: its own password form while passwords are on; otherwise the
    sign-in page (with the organisations' buttons), which comes back to the admin."""
    if request.method in {"GET", "HEAD"} and admin.site.has_permission(request):
        return redirect("admin:index")  # as the admin's own view does, for HEAD too
    if settings.LABB_PASSWORD_LOGIN:
        return admin.site.login(request)
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


@require_safe
@never_cache
def sign_in_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the browser to the provider (the buttons on the sign-in page link here)."""
    provider = get_provider(slug)
    if provider is None:
        return failure_page(request, Failure.UNKNOWN_PROVIDER, reason=slug)
    _remember_next(request)
    try:
        if provider.protocol == SAML:
            return _saml_start(request, provider)
        callback = absolute(request, reverse("oidc_callback", kwargs={"slug": slug}))
        return oidc.authorize_redirect(request, provider, callback)
    except SignInFailed as failed:
        return failure_page(request, failed.failure, reason=failed.reason, provider=provider)


def _base_url(request: HttpRequest) -> str:
    return absolute(request, "/").rstrip("/")


def _saml_start(request: HttpRequest, provider: Provider) -> HttpResponse:
    request_id, location = saml.start(provider, _base_url(request))
    response = redirect(location)
    # The answer comes back as a cross-site POST, which carries no SameSite=Lax cookie: the
    # request id that binds the answer to this browser travels in a cookie of its own,
    # signed, SameSite=None over HTTPS.
    response.set_signed_cookie(
        SAML_COOKIE,
        request_id,
        salt=SAML_COOKIE,
        max_age=saml.REQUEST_TTL,
        httponly=True,
        secure=request.is_secure(),
        samesite="None" if request.is_secure() else "Lax",
    )
    next_url = request.session.get(NEXT_KEY)
    if next_url:
        cache.set(f"saml-next:{request_id}", next_url, saml.REQUEST_TTL)
    return response


@csrf_exempt  # a POST from the identity provider: bound to this browser by SAML_COOKIE
@require_POST
@never_cache
def saml_acs(request: HttpRequest, slug: str) -> HttpResponse:
    provider = get_provider(slug, protocol=SAML)
    if provider is None:
        return failure_page(request, Failure.UNKNOWN_PROVIDER, reason=slug)
    request_id = request.get_signed_cookie(
        SAML_COOKIE, default="", salt=SAML_COOKIE, max_age=saml.REQUEST_TTL
    )
    try:
        person, logout = saml.complete(
            provider,
            _base_url(request),
            saml_response=request.POST.get("SAMLResponse", ""),
            request_id=request_id,
        )
        next_url = cache.get(f"saml-next:{request_id}")
        if next_url:
            request.session[NEXT_KEY] = next_url
        response = _finish(request, provider, person, protocol=SAML, **logout)
    except SignInFailed as failed:
        response = failure_page(request, failed.failure, reason=failed.reason, provider=provider)
    response.delete_cookie(SAML_COOKIE, samesite="None" if request.is_secure() else "Lax")
    return response


@require_safe
def saml_metadata(request: HttpRequest, slug: str) -> HttpResponse:
    """This server's SAML metadata for the provider (its entity id is this address)."""
    provider = get_provider(slug, protocol=SAML)
    if provider is None:
        return failure_page(request, Failure.UNKNOWN_PROVIDER, reason=slug)
    return HttpResponse(
        saml.metadata_xml(provider, _base_url(request)), content_type="application/samlmetadata+xml"
    )


@require_safe
@never_cache
def oidc_callback(request: HttpRequest, slug: str) -> HttpResponse:
    provider = get_provider(slug, protocol=OIDC)
    if provider is None:
        return failure_page(request, Failure.UNKNOWN_PROVIDER, reason=slug)
    try:
        person, id_token = oidc.complete(request, provider)
        return _finish(request, provider, person, protocol=OIDC, id_token=id_token)
    except SignInFailed as failed:
        return failure_page(request, failed.failure, reason=failed.reason, provider=provider)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the Labb session; then, if the person signed in through a provider that offers
    single logout, send them there to end that session too."""
    signed_in_with = request.session.get(SIGNED_IN_WITH) or {}
    if request.session.session_key:
        SamlSession.objects.filter(session_key=request.session.session_key).delete()
    logout(request)
    back = absolute(request, resolve_url(settings.LOGOUT_REDIRECT_URL))
    if signed_in_with.get("protocol") == OIDC:
        provider = get_provider(signed_in_with.get("provider", ""), protocol=OIDC)
        if provider is not None:
            url = oidc.logout_url(provider, id_token=signed_in_with["id_token"], return_to=back)
            if url:
                return _continue_at_provider(request, provider, url)
    if signed_in_with.get("protocol") == SAML:
        provider = get_provider(signed_in_with.get("provider", ""), protocol=SAML)
        if provider is not None:
            url = saml.logout_url(
                provider,
                _base_url(request),
                name_id=signed_in_with["name_id"],
                session_index=signed_in_with["session_index"],
            )
            if url:
                return _continue_at_provider(request, provider, url)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@csrf_exempt  # the IdP's LogoutRequest may come by HTTP-POST: its signature is checked
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def saml_sls(request: HttpRequest, slug: str) -> HttpResponse:
    """Labb's single logout service. A LogoutResponse: the browser comes back after Labb's
    own sign-out (the Labb session ended before it left; a refused response is logged). A
    LogoutRequest: the IdP ends a person's sessions; it must be signed by the provider's IdP,
    and every Labb session that person started through this provider ends."""
    provider = get_provider(slug, protocol=SAML)
    if provider is None:
        return failure_page(request, Failure.UNKNOWN_PROVIDER, reason=slug)
    data = request.POST if request.method == "POST" else request.GET
    if "SAMLRequest" in data:
        return _saml_idp_logout(request, provider, data)
    if request.method == "POST":
        return failure_page(request, Failure.LOGOUT_REFUSED, reason="POST without SAMLRequest")
    saml.logout_done(
        provider, _base_url(request), saml_response=request.GET.get("SAMLResponse", "")
    )
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _saml_idp_logout(request: HttpRequest, provider: Provider, data) -> HttpResponse:
    binding = saml.BINDING_HTTP_POST if request.method == "POST" else saml.BINDING_HTTP_REDIRECT
    try:
        logout_request, name_id = saml.idp_logout_request(
            provider,
            _base_url(request),
            binding=binding,
            saml_request=data["SAMLRequest"],
            relay_state=data.get("RelayState"),
            sigalg=data.get("SigAlg"),
            signature=data.get("Signature"),
        )
    except (SignInFailed, ValueError) as exc:
        return failure_page(request, Failure.LOGOUT_REFUSED, reason=repr(exc))
    sessions = SamlSession.objects.filter(provider=provider.slug, name_id=name_id)
    ended = [row.session_key for row in sessions]
    store: type[SessionBase] = import_string(settings.SESSION_ENGINE + ".SessionStore")
    for key in ended:
        store(session_key=key).delete()
    sessions.delete()
    if request.session.session_key in ended:
        request.session.flush()
    url = saml.logout_response_url(
        provider,
        _base_url(request),
        logout_request,
        ended=bool(ended),
        relay_state=data.get("RelayState", ""),
    )
    return HttpResponseRedirect(url)


def _continue_at_provider(request: HttpRequest, provider: Provider, url: str) -> HttpResponse:
    """A page that moves on to the provider's sign-out at once (labb.js follows its link;
    without scripts the person clicks it). Not a redirect: the CSP's form-action 'self'
    also covers where a form's POST is redirected, and the provider is another origin."""
    response = render(
        request, "accounts/signed_out.html", {"provider": provider, "provider_logout_url": url}
    )
    add_never_cache_headers(response)
    return response
