"""Organisations and memberships in Django's admin (for the server's superusers). Every
membership change made here goes into the audit trail like one made on the organisation
admin's pages, with the superuser as actor and `"by": "django admin"`."""

from __future__ import annotations

from django.contrib import admin

from audit.events import Action, record
from challenges.models import Membership, Organisation

BY_ADMIN = {"by": "django admin"}


def _record(action: str, membership: Membership, actor, detail: dict) -> None:
    record(
        action=action,
        actor=actor,
        organisation_id=membership.organisation_id,
        target=membership.user,
        label=membership.user.get_username(),
        detail={**detail, **BY_ADMIN},
    )


def _saved(request, membership: Membership, *, created: bool, previous_role: str | None):
    if created:
        _record(Action.MEMBER_ADDED, membership, request.user, {"role": membership.role})
    elif previous_role is not None and previous_role != membership.role:
        _record(
            Action.ROLE_CHANGED,
            membership,
            request.user,
            {"from": previous_role, "to": membership.role},
        )


def _removed(request, membership: Membership) -> None:
    _record(Action.MEMBER_REMOVED, membership, request.user, {"role": membership.role})


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "default_retention_days"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        previous = {f.instance.pk: f.initial.get("role") for f in formset.forms if f.instance.pk}
        removed = [f.instance for f in formset.deleted_forms if f.instance.pk]
        for membership in removed:
            membership.user  # noqa: B018 - loaded before the row is gone
        super().save_formset(request, form, formset, change)
        for membership in removed:
            _removed(request, membership)
        for membership in formset.new_objects:
            _saved(request, membership, created=True, previous_role=None)
        for membership, _fields in formset.changed_objects:
            _saved(request, membership, created=False, previous_role=previous[membership.pk])


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    autocomplete_fields = ["user", "organisation"]

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("role") if change else None
        super().save_model(request, obj, form, change)
        _saved(request, obj, created=not change, previous_role=previous)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _removed(request, obj)

    def delete_queryset(self, request, queryset):
        memberships = list(queryset.select_related("user"))
        super().delete_queryset(request, queryset)
        for membership in memberships:
            _removed(request, membership)
