"""The organisation admin's pages: members and roles, the organisation's defaults, and
its audit trail (with a CSV export). Every view gets its organisation through
`challenges.access.get_organisation_for_admin` (404 for everyone else)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.events import Action, record
from challenges.access import (
    get_membership_for_admin,
    get_organisation_for_admin,
    organisations_administered_by,
)
from challenges.models import Membership
from orgadmin import reads, services
from orgadmin.forms import AuditFilterForm, MemberAddForm, OrganisationDefaultsForm, RoleForm

EVENTS_PER_PAGE = 50


@login_required
@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = organisations_administered_by(request.user)
    if not organisations.exists():
        raise Http404
    return render(
        request,
        "orgadmin/organisations.html",
        {"organisations": organisations, "administers_organisations": True},
    )


def _members_page(request, organisation, form, *, status: int = 200) -> HttpResponse:
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )
    return render(
        request,
        "orgadmin/members.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "form": form,
            "roles": Membership.Role.choices,
            "tab": "members",
            "administers_organisations": True,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_admin(request, slug)
    form = MemberAddForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        if form.is_valid():
            services.member_add(
                organisation=organisation,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
            messages.success(request, _("Member added."))
            return redirect("orgadmin_members", slug=organisation.slug)
        return _members_page(request, organisation, form, status=400)
    return _members_page(request, organisation, form)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_membership_for_admin(request, slug, pk)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose one of the roles."))
        services.member_set_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        form = MemberAddForm(organisation=membership.organisation)
        return _members_page(request, membership.organisation, form, status=400)
    messages.success(
        request, _("Role changed for %(user)s.") % {"user": membership.user.get_username()}
    )
    return redirect("orgadmin_members", slug=membership.organisation.slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_membership_for_admin(request, slug, pk)
    try:
        services.member_remove(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        form = MemberAddForm(organisation=membership.organisation)
        return _members_page(request, membership.organisation, form, status=400)
    messages.success(
        request, _("%(user)s is no longer a member.") % {"user": membership.user.get_username()}
    )
    return redirect("orgadmin_members", slug=membership.organisation.slug)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def defaults(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_admin(request, slug)
    form = OrganisationDefaultsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_defaults_save(form=form, actor=request.user)
        messages.success(request, _("Defaults saved."))
        return redirect("orgadmin_defaults", slug=organisation.slug)
    return render(
        request,
        "orgadmin/defaults.html",
        {
            "organisation": organisation,
            "form": form,
            "tab": "defaults",
            "administers_organisations": True,
        },
        status=400 if request.method == "POST" else 200,
    )


def _filtered_events(request: HttpRequest, organisation):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    events = reads.audit_events(
        organisation,
        action=data.get("action", ""),
        since=data.get("since"),
        until=data.get("until"),
    )
    return form, events


@login_required
@require_safe
def audit_trail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_admin(request, slug)
    form, events = _filtered_events(request, organisation)
    page = None
    if events is not None:
        page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orgadmin/audit.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "page_query": query.urlencode(),
            "tab": "audit",
            "administers_organisations": True,
        },
        status=200 if events is not None else 400,
    )


@login_required
@require_safe
def audit_csv(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_admin(request, slug)
    form, events = _filtered_events(request, organisation)
    if events is None:
        return HttpResponse(
            " ".join(form.errors.get("__all__", [])) or _("Check the filters."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if request.method == "GET":
        record(
            action=Action.TRAIL_EXPORTED,
            actor=request.user,
            organisation_id=organisation.pk,
            target=organisation,
            detail={key: str(value) for key, value in form.cleaned_data.items() if value}
            if form.is_bound
            else {},
        )
    response = StreamingHttpResponse(
        reads.csv_rows(events.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="labb-audit-{organisation.slug}-{stamp}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
