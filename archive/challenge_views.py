from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from archive import reads
from audit.events import Action, record
from challenges import access
from challenges.forms import ChallengeForm, ChallengeStatusForm, LearningEntryForm
from challenges.models import Challenge
from workshops.access import workshops_editable_by
from workshops.forms import ExportRequestForm
from workshops.models import ActionItem, Export, Note, Theme, Workshop


@login_required
@require_safe
def challenge_list(request: HttpRequest) -> HttpResponse:
    challenges = (
        access.challenges_visible_to(request.user)
        .select_related("organisation")
        .annotate(workshop_count=Count("workshops", distinct=True))
        .prefetch_related("tags")
        .order_by("-updated_at")
    )
    can_create = access.can_create_challenge(request.user)
    # Workshops the user runs that are not closed yet, so that an ongoing session (the
    # demo's "Prova själv" one included) is one click from the start page.
    ongoing = (
        workshops_editable_by(request.user)
        .filter(kind=Workshop.Kind.LIVE)
        .exclude(phase=Workshop.Phase.CLOSED)
        .select_related("challenge")
        .order_by("-date", "-pk")[:12]
    )
    return render(
        request,
        "challenges/challenge_list.html",
        {
            "challenges": challenges,
            "can_create": can_create,
            "ongoing": ongoing,
            # The menu links the organisation admin's pages (orgadmin/) from the start page.
            "administers_organisations": access.organisations_administered_by(
                request.user
            ).exists(),
        },
    )


def _audit(request: HttpRequest, challenge, action: str, *, changed=()) -> None:
    """Record a challenge created or changed (the names of the fields that changed)."""
    if action == Action.CHALLENGE_CHANGED and not changed:
        return
    record(
        action=action,
        actor=request.user,
        organisation_id=challenge.organisation_id,
        target=challenge,
        detail={"changed": sorted(changed)} if changed else {},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def challenge_create(request: HttpRequest) -> HttpResponse:
    form = ChallengeForm(request.POST or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        return render(request, "403.html", status=403)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            challenge = form.save(commit=False)
            challenge.created_by = request.user
            challenge.save()
            form.instance = challenge
            form.save()
            _audit(request, challenge, Action.CHALLENGE_CREATED)
        messages.success(request, _("Challenge created."))
        return redirect(challenge)
    return render(
        request,
        "challenges/challenge_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def challenge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = access.get_challenge_for_editor(request, pk)
    form = ChallengeForm(request.POST or None, instance=challenge, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            _audit(request, challenge, Action.CHALLENGE_CHANGED, changed=form.changed_data)
        messages.success(request, _("Challenge saved."))
        return redirect(challenge)
    return render(
        request,
        "challenges/challenge_form.html",
        {"form": form, "challenge": challenge},
        status=400 if request.method == "POST" else 200,
    )


def _detail_context(request: HttpRequest, challenge: Challenge, **extra) -> dict:
    can_edit = access.can_edit_challenge(request.user, challenge.pk)
    workshops = challenge.workshops.annotate(
        note_count=Subquery(
            Note.objects.filter(workshop=OuterRef("pk"), status=Note.Status.VISIBLE)
            .order_by()
            .values("workshop")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        participant_count=Count("participants", distinct=True),
        group_count=Count("groups", distinct=True),
    ).order_by("date", "created_at")
    themes = (
        Theme.objects.filter(workshop__challenge=challenge)
        .select_related("workshop")
        .annotate(note_count=Count("notes", filter=Q(notes__status=Note.Status.VISIBLE)))
        .order_by("workshop__date", "workshop_id", "position", "pk")
    )
    context = {
        "challenge": challenge,
        "workshops": workshops,
        "themes": themes,
        "can_edit": can_edit,
        "action_items": challenge.action_items.select_related("workshop").order_by(
            "status", "due_date", "pk"
        ),
        "learnings": challenge.learnings.select_related("workshop", "author"),
        "exports": reads.export_links(
            challenge.exports.filter(status=Export.Status.DONE).order_by("-created_at")
        ),
    }
    if can_edit:
        context["status_form"] = ChallengeStatusForm(instance=challenge)
        context["learning_form"] = LearningEntryForm(challenge=challenge)
        context["export_form"] = ExportRequestForm()
        context["export_action"] = reverse("challenge_export_create", args=[challenge.pk])
        context["recent_exports"] = challenge.exports.all()[:10]
    context.update(extra)
    return context


@login_required
@require_safe
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = access.get_challenge_for_viewer(request, pk)
    return render(request, "challenges/challenge_detail.html", _detail_context(request, challenge))


@login_required
@require_POST
def challenge_status(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = access.get_challenge_for_editor(request, pk)
    form = ChallengeStatusForm(request.POST, instance=challenge)
    if not form.is_valid():
        return render(
            request,
            "challenges/challenge_detail.html",
            _detail_context(request, challenge, status_form=form),
            status=400,
        )
    with transaction.atomic():
        form.save()
        _audit(request, challenge, Action.CHALLENGE_CHANGED, changed=form.changed_data)
    messages.success(
        request, _("Status changed to “%(status)s”.") % {"status": challenge.get_status_display()}
    )
    return redirect(challenge)


@login_required
@require_POST
def learning_add(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = access.get_challenge_for_editor(request, pk)
    form = LearningEntryForm(request.POST, challenge=challenge)
    if not form.is_valid():
        return render(
            request,
            "challenges/challenge_detail.html",
            _detail_context(request, challenge, learning_form=form),
            status=400,
        )
    entry = form.save(commit=False)
    entry.challenge = challenge
    entry.author = request.user
    entry.save()
    messages.success(request, _("Added to the learning log."))
    return redirect(f"{challenge.get_absolute_url()}#learning-log")


@login_required
@require_POST
def next_step_toggle(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    challenge = access.get_challenge_for_editor(request, pk)
    item = get_object_or_404(ActionItem, pk=item_pk, challenge=challenge)
    item.status = (
        ActionItem.Status.OPEN if item.status == ActionItem.Status.DONE else ActionItem.Status.DONE
    )
    item.save(update_fields=["status"])
    messages.success(
        request,
        _("“%(title)s” marked as %(status)s.")
        % {"title": item.title, "status": item.get_status_display().lower()},
    )
    return redirect(f"{challenge.get_absolute_url()}#next-steps")
