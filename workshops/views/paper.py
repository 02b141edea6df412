"""Paper workshops: type in every group's notes on one page and save them at once.

One textarea per group × column, one note per line. Groups can be added (up to the
workshop's maximum) and renamed on the same page, so a session of twenty paper boards is
in Labb in minutes. Everything is saved in one transaction: a bad line (too long) saves
nothing and shows the page again with the typed text kept.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from workshops import access
from workshops.boards import boards_for
from workshops.models import Workshop
from workshops.services.groups import group_add, group_rename
from workshops.services.notes import notes_bulk_add

MAX_GROUPS_AT_ONCE = 30


class AddGroupsForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("Number of groups to add"),
        min_value=1,
        max_value=MAX_GROUPS_AT_ONCE,
        initial=1,
    )


def _field_name(group_pk: int, column_pk: int) -> str:
    return f"notes-{group_pk}-{column_pk}"


def _grid(workshop: Workshop, data=None) -> list[dict]:
    """Each group's board with a textarea value and the notes already saved per cell."""
    rows = []
    for board in boards_for(workshop):
        cells = []
        for cell in board.cells:
            name = _field_name(board.group.pk, cell.column.pk)
            cells.append(
                {
                    "name": name,
                    "column": cell.column,
                    "saved": cell.notes,
                    "value": (data or {}).get(name, ""),
                    "errors": [],
                }
            )
        rows.append(
            {
                "group": board.group,
                "name_field": f"name-{board.group.pk}",
                "name_value": (data or {}).get(f"name-{board.group.pk}", board.group.name),
                "cells": cells,
            }
        )
    return rows


def _render(request, workshop, *, grid, groups_form, status=200) -> HttpResponse:
    return render(
        request,
        "workshops/paper.html",
        {
            "workshop": workshop,
            "challenge": workshop.challenge,
            "grid": grid,
            "groups_form": groups_form,
            "has_errors": any(cell["errors"] for row in grid for cell in row["cells"]),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    if request.method == "POST" and request.POST.get("action") == "add_groups":
        groups_form = AddGroupsForm(request.POST)
        if groups_form.is_valid():
            try:
                with transaction.atomic():
                    for _index in range(groups_form.cleaned_data["count"]):
                        group_add(workshop=workshop)
            except ValidationError as exc:
                groups_form.add_error("count", exc)
            else:
                messages.success(request, _("Groups added."))
                return redirect(reverse("paper_entry", args=[workshop.pk]))
        return _render(request, workshop, grid=_grid(workshop), groups_form=groups_form, status=400)
    if request.method == "POST":
        grid = _grid(workshop, request.POST)
        saved = _save(workshop, grid)
        if saved is None:
            return _render(request, workshop, grid=grid, groups_form=AddGroupsForm(), status=400)
        messages.success(
            request,
            _("%(count)s notes saved. They are in the archive and its search now.")
            % {"count": saved},
        )
        return redirect(reverse("paper_entry", args=[workshop.pk]))
    return _render(request, workshop, grid=_grid(workshop), groups_form=AddGroupsForm())


def _save(workshop: Workshop, grid: list[dict]) -> int | None:
    """Save every cell in one transaction; None (nothing saved) if any cell is invalid."""
    count = 0
    try:
        with transaction.atomic():
            for row in grid:
                group = row["group"]
                new_name = " ".join(row["name_value"].split())[:100]
                if new_name and new_name != group.name:
                    group_rename(group=group, name=new_name)
                for cell in row["cells"]:
                    if not cell["value"].strip():
                        continue
                    try:
                        notes = notes_bulk_add(
                            workshop=workshop,
                            group=group,
                            column=cell["column"],
                            lines=cell["value"],
                        )
                    except ValidationError as exc:
                        cell["errors"] = exc.messages
                        continue
                    count += len(notes)
            if any(cell["errors"] for row in grid for cell in row["cells"]):
                raise _Invalid
    except _Invalid:
        return None
    return count


class _Invalid(Exception):
    """Roll back the whole save when one cell failed."""
