"""Exports: request, follow progress (htmx polling of a status fragment), download, retry,
and importing an archive file."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from challenges.access import get_challenge_for_editor, organisations_led_by
from workshops import access, exporting
from workshops.exports import import_archive_workshops
from workshops.forms import ArchiveImportForm, ExportRequestForm
from workshops.models import Export
from workshops.services import exports as export_jobs

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _exports_panel(
    request: HttpRequest,
    *,
    exports,
    form,
    subject_url: str,
    message: str = "",
    error: bool = False,
    status: int = 200,
):
    return render(
        request,
        "workshops/_exports_panel.html",
        {
            "exports": exports,
            "export_form": form,
            "export_action": subject_url,
            "export_message": message,
            "export_message_error": error,
            "can_request": True,
        },
        status=status,
    )


def _export_create(request: HttpRequest, subject, **subject_kwarg) -> HttpResponse:
    """Queue an export of `subject` (a workshop or a challenge, named in `subject_kwarg`).

    Every request answers with a message, so each click on the button is seen to count.
    """
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        message = _("Choose what kind of export you want.")
        if request.htmx:
            return _exports_panel(
                request,
                exports=subject.exports.all()[:10],
                form=ExportRequestForm(),
                subject_url=request.path,
                message=message,
                error=True,
                status=400,
            )
        messages.error(request, message)
        return redirect(subject)
    try:
        export = export_jobs.export_request(
            kind=form.cleaned_data["kind"], user=request.user, **subject_kwarg
        )
    except ValidationError as refused:
        # The records are still being made (an open workshop): 409, not a bad request.
        message = " ".join(refused.messages)
        if request.htmx:
            return _exports_panel(
                request,
                exports=subject.exports.all()[:10],
                form=form,
                subject_url=request.path,
                message=message,
                error=True,
                status=409,
            )
        messages.error(request, message)
        return redirect(f"{subject.get_absolute_url()}#exports")
    message = _("%(kind)s: the export is being made. It appears in the list when it is ready.") % {
        "kind": export.get_kind_display()
    }
    if request.htmx:
        return _exports_panel(
            request,
            exports=subject.exports.all()[:10],
            form=ExportRequestForm(),
            subject_url=request.path,
            message=message,
        )
    messages.success(request, message)
    return redirect(f"{subject.get_absolute_url()}#exports")


@login_required
@require_POST
def workshop_export_create(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = access.get_workshop_for_facilitator(request, pk)
    return _export_create(request, workshop, workshop=workshop)


@login_required
@require_POST
def challenge_export_create(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_challenge_for_editor(request, pk)
    return _export_create(request, challenge, challenge=challenge)


@login_required
@require_safe
@never_cache
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    export = access.get_export_for_viewer(request, pk)
    can_retry = access.can_manage_export(request.user, export)
    return render(
        request,
        "workshops/_export_row.html",
        {"export": export, "can_retry": can_retry},
    )


@login_required
@require_safe
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = access.get_export_for_viewer(request, pk)
    path = exporting.export_file_path(export)
    if path is None:
        raise Http404(_("This export is not ready, or it has been removed."))
    extension = path.suffix.lstrip(".")
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=export.file_name,
        content_type=exporting.CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    if request.method == "GET":
        export_jobs.export_downloaded(export=export, user=request.user)
    return response


@login_required
@require_POST
def export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    export = access.get_export_for_facilitator(request, pk)
    if export.status != Export.Status.FAILED:
        return HttpResponse(_("Only a failed export can be started again."), status=409)
    export = export_jobs.export_retry(export=export)
    if request.htmx:
        return render(request, "workshops/_export_row.html", {"export": export, "can_retry": True})
    subject = export.workshop or export.challenge
    return redirect(f"{subject.get_absolute_url()}#exports")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def archive_import(request: HttpRequest) -> HttpResponse:
    organisations = organisations_led_by(request.user)
    if not organisations.exists():
        raise Http404
    form = ArchiveImportForm(
        request.POST or None, request.FILES or None, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_IMPORT_BYTES:
                raise ValidationError(_("The file is too large (at most 20 MB)."))
            try:
                data = json.loads(upload.read().decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ValidationError(
                    _("This is not a Labb archive file (not valid JSON).")
                ) from exc
            except RecursionError as exc:
                # JSON nested thousands of levels deep: Python's parser gives up.
                raise ValidationError(
                    _("This is not a Labb archive file (nested too deeply).")
                ) from exc
            workshops = import_archive_workshops(
                data, organisation=form.cleaned_data["organisation"], user=request.user
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(
                request,
                _("Imported %(count)s workshop(s).") % {"count": len(workshops)},
            )
            return redirect(workshops[0] if workshops else "challenge_list")
    return render(
        request,
        "workshops/archive_import.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
