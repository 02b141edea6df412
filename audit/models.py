from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what and when. The actor is a signed-in user or nobody (the system, or an
    unknown account): never a participant. `detail` holds ids, names of phases and roles,
    kinds and counts; never the text of a note or a participant's name."""

    class Action(models.TextChoices):
        CHALLENGE_CREATED = "challenge.created", _("Challenge created")
        CHALLENGE_CHANGED = "challenge.changed", _("Challenge changed")
        WORKSHOP_CREATED = "workshop.created", _("Workshop created")
        WORKSHOP_CHANGED = "workshop.changed", _("Workshop changed")
        PHASE_CHANGED = "workshop.phase", _("Phase changed")
        NOTE_EDITED = "note.edited", _("Note edited")
        NOTE_HIDDEN = "note.hidden", _("Note hidden")
        NOTE_SHOWN = "note.shown", _("Note shown")
        NOTE_DELETED = "note.deleted", _("Note deleted")
        IMPORTED = "archive.imported", _("Archive imported")
        EXPORT_REQUESTED = "export.requested", _("Export requested")
        EXPORT_DOWNLOADED = "export.downloaded", _("Export downloaded")
        MEMBER_ADDED = "member.added", _("Member added")
        MEMBER_REMOVED = "member.removed", _("Member removed")
        ROLE_CHANGED = "member.role", _("Role changed")
        DEFAULTS_CHANGED = "organisation.defaults", _("Organisation defaults changed")
        SIGNED_IN = "auth.signed_in", _("Signed in")
        SIGN_IN_FAILED = "auth.sign_in_failed", _("Sign-in failed")
        DISPOSED = "retention.disposed", _("Workshop disposed of (retention)")
        TRAIL_EXPORTED = "audit.exported", _("Audit trail exported")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    organisation = models.ForeignKey(
        "challenges.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # The user name at the time, so the row still says who after the account is gone.
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=40, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=20, blank=True)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    # A workshop's title, a challenge's question, a member's user name; never a note's text.
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_org_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or '—'} {self.action}"

    @property
    def detail_text(self) -> str:
        """The detail as "key: value" pairs in a stable order (the page and the CSV)."""
        parts = []
        for key in sorted(self.detail):
            value = self.detail[key]
            if isinstance(value, list):
                value = ", ".join(map(str, value))
            parts.append(f"{key}: {value}")
        return "; ".join(parts)
