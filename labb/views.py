from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from workshops.forms import JoinCodeForm


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Signed-in users go to their challenges; everyone else gets a start page with the
    two ways in: a participant types the code, a facilitator or staff member signs in."""
    if request.user.is_authenticated:
        return redirect("challenge_list")
    return render(request, "home.html", {"form": JoinCodeForm(), "hide_login": True})


@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (tillgänglighetsredogörelse), after DIGG's model."""
    contact = settings.LABB_ACCESSIBILITY_CONTACT
    return render(
        request,
        "accessibility.html",
        {
            "operator": settings.LABB_OPERATOR_NAME,
            "contact": contact,
            "contact_is_email": "@" in contact and not contact.startswith(("http:", "https:")),
            "assessed": settings.LABB_ACCESSIBILITY_ASSESSED,
        },
    )


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
