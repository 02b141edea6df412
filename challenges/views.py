from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from challenges.forms import ChallengeForm
from challenges.models import Challenge


def _visible(request: HttpRequest):
    return Challenge.objects.visible_to(request.user).select_related("organisation")


@login_required
@require_GET
def challenge_list(request: HttpRequest) -> HttpResponse:
    challenges = (
        _visible(request)
        .annotate(workshop_count=Count("workshops", distinct=True))
        .prefetch_related("tags")
        .order_by("-updated_at")
    )
    can_create = Challenge.objects.editable_by(request.user).exists() or (
        request.user.memberships.filter(role="facilitator").exists()
    )
    return render(
        request,
        "challenges/challenge_list.html",
        {"challenges": challenges, "can_create": can_create},
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request: HttpRequest) -> HttpResponse:
    form = ChallengeForm(request.POST or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        return render(request, "403.html", status=403)
    if request.method == "POST" and form.is_valid():
        challenge = form.save(commit=False)
        challenge.created_by = request.user
        challenge.save()
        form.instance = challenge
        form.save()
        messages.success(request, _("Challenge created."))
        return redirect(challenge)
    return render(
        request,
        "challenges/challenge_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge.objects.editable_by(request.user).distinct(), pk=pk)
    form = ChallengeForm(request.POST or None, instance=challenge, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Challenge saved."))
        return redirect(challenge)
    return render(
        request,
        "challenges/challenge_form.html",
        {"form": form, "challenge": challenge},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(_visible(request), pk=pk)
    workshops = challenge.workshops.annotate(
        note_count=Count("notes", distinct=True),
        participant_count=Count("participants", distinct=True),
    ).order_by("-date", "-created_at")
    can_edit = Challenge.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "challenges/challenge_detail.html",
        {
            "challenge": challenge,
            "workshops": workshops,
            "can_edit": can_edit,
            "action_items": challenge.action_items.select_related("workshop"),
        },
    )
