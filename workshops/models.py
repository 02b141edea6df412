import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge
from labb.text import CleanCharField, CleanTextField


class Workshop(models.Model):
    class Phase(models.TextChoices):
        PREPARE = "prepare", _("Prepare")
        WRITE = "write", _("Write")
        REVEAL = "reveal", _("Reveal")
        CLUSTER = "cluster", _("Cluster")
        VOTE = "vote", _("Vote")
        NEXT_STEPS = "next_steps", _("Next steps")
        CLOSED = "closed", _("Closed")

    class Kind(models.TextChoices):
        LIVE = "live", _("Live (participants post from their phones)")
        PAPER = "paper", _("Paper (notes typed in afterwards)")

    class GroupAssignment(models.TextChoices):
        CHOOSE = "choose", _("Participants choose their group")
        ROUND_ROBIN = "round_robin", _("Assign automatically, in turn")
        RANDOM = "random", _("Assign automatically, at random")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="workshops")
    title = CleanCharField(_("title"), max_length=200)
    question = CleanCharField(
        _("question on the board"),
        max_length=300,
        help_text=_(
            "The question every group answers, e.g. “What does it take to make it happen?”"
        ),
    )
    template = models.CharField(_("template"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LIVE)
    date = models.DateField(_("date"), default=timezone.localdate)
    place = CleanCharField(_("place"), max_length=200, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_workshops", blank=True
    )
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.PREPARE
    )
    accepting_notes = models.BooleanField(
        _("open for new notes"),
        default=True,
        help_text=_("Participants can post, edit and delete their notes."),
    )
    join_code = models.CharField(_("join code"), max_length=12, null=True, blank=True, unique=True)
    group_assignment = models.CharField(
        _("group assignment"),
        max_length=20,
        choices=GroupAssignment.choices,
        default=GroupAssignment.CHOOSE,
    )
    screening = models.BooleanField(
        _("screen notes before they are shown"),
        default=False,
        help_text=_("New notes wait for the facilitator's approval before anyone else sees them."),
    )
    participants_can_cluster = models.BooleanField(
        _("participants may group notes into themes"), default=False
    )
    # Dot voting.
    vote_budget = models.PositiveSmallIntegerField(_("votes per participant"), default=5)
    votes_stackable = models.BooleanField(
        _("several votes may go on one note or theme"), default=True
    )
    votes_hidden = models.BooleanField(_("hide running totals until voting closes"), default=True)
    # With 250 notes a vote list of every note is too long to read: the facilitator may
    # have the room vote on the themes only.
    votes_on_themes_only = models.BooleanField(_("votes on themes only"), default=False)
    # What the projector shows: "" (every group), "group:<pk>", "theme:<pk>" or "votes".
    spotlight = models.CharField(_("projector spotlight"), max_length=40, blank=True, default="")
    # Countdown timer, kept as server time so every screen agrees.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_paused_remaining = models.DurationField(null=True, blank=True)
    timer_locks_writing = models.BooleanField(_("stop writing when the timer ends"), default=False)
    # Retention (GDPR): notes, names and exports are removed after this date unless kept.
    retain_until = models.DateField(_("keep notes until"), null=True, blank=True)
    keep = models.BooleanField(
        _("keep indefinitely"),
        default=False,
        help_text=_("Exempt from automatic removal, e.g. when archived as a public record."),
    )
    disposed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Records management: empty means the challenge's number and classification apply.
    registration_number = CleanCharField(
        _("registration number"),
        max_length=100,
        blank=True,
        help_text=_(
            "The registry's number for the case (diarienummer). Leave empty to use the challenge's."
        ),
    )
    classification = CleanCharField(
        _("classification"),
        max_length=100,
        blank=True,
        help_text=_(
            "The code from the organisation's classification scheme (klassificeringsstruktur). "
            "Leave empty to use the challenge's."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshop_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.phase == self.Phase.CLOSED

    @property
    def is_open_for_notes(self) -> bool:
        return self.accepting_notes and not self.is_closed and self.disposed_at is None


# Phases in which the texts of notes are shown beyond the phone that wrote them (boards,
# projector, the group's phones, the archive). Before them, screens show counts only.
REVEALED_PHASES = frozenset(
    {
        Workshop.Phase.REVEAL,
        Workshop.Phase.CLUSTER,
        Workshop.Phase.VOTE,
        Workshop.Phase.NEXT_STEPS,
        Workshop.Phase.CLOSED,
    }
)


def texts_revealed(workshop: Workshop) -> bool:
    # A paper workshop is typed in afterwards by the facilitator: there is no room to hide from.
    return workshop.phase in REVEALED_PHASES or workshop.kind == Workshop.Kind.PAPER


class Column(models.Model):
    """A column of every group's board, copied from the workshop's template."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="columns")
    title = CleanCharField(_("title"), max_length=100)
    prompt = CleanCharField(_("prompt"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    colour = models.CharField(_("colour"), max_length=20, default="yellow")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("column")
        verbose_name_plural = _("columns")

    def __str__(self) -> str:
        return self.title


class Group(models.Model):
    """A breakout group. Each group has its own board with the workshop's columns."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="groups")
    name = CleanCharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    # Secret token for the group's own join link/QR code.
    token = models.CharField(max_length=32, unique=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """Somebody who joined from a phone. Anonymous unless they give a name."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="participants"
    )
    display_name = CleanCharField(_("name (optional)"), max_length=60, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.display_name or str(_("Anonymous"))


class Theme(models.Model):
    """A named cluster of notes; may span groups."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="themes")
    name = CleanCharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class ThemeMove(models.Model):
    """One move of notes on the clustering wall, kept so that it can be undone.

    `previous` maps each moved note's id (as a string: JSON keys) to the theme id it had
    before, or None. Undo puts back only the notes that are still where this move put them,
    so a later move of the same note is never overwritten.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="theme_moves")
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    previous = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"move #{self.pk} ({len(self.previous)} notes)"


class SuggestionRejection(models.Model):
    """A theme suggestion the facilitator said no to: its notes, so that the same suggestion
    (or one with a note more or fewer) is never offered again (`wall.is_rejected`)."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="suggestion_rejections"
    )
    note_ids = models.JSONField(default=list)
    label = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"rejected {self.label or self.note_ids}"


class NoteQuerySet(models.QuerySet):
    def readable(self) -> "NoteQuerySet":
        """Notes whose text may be read away from the phone that wrote them: visible, and in
        a workshop whose notes are revealed (`texts_revealed`), as the archive shows them."""
        return self.filter(status=Note.Status.VISIBLE).filter(
            models.Q(workshop__phase__in=REVEALED_PHASES)
            | models.Q(workshop__kind=Workshop.Kind.PAPER)
        )


class Note(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        PENDING = "pending", _("Waiting for approval")
        HIDDEN = "hidden", _("Hidden")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="notes")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="notes")
    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="notes")
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    # Shown name at posting time; empty means anonymous.
    author_name = CleanCharField(max_length=60, blank=True)
    text = CleanTextField(_("text"), max_length=500)
    # Generated by the posting client: the same id posted twice is saved once.
    client_id = models.UUIDField(default=uuid.uuid4)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VISIBLE
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    # A duplicate merged into another note keeps its own text but is shown under it.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    position = models.IntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "client_id"], name="unique_note_client_id")
        ]
        indexes = [models.Index(fields=["workshop", "group", "column"])]

    def __str__(self) -> str:
        return self.text[:60]


class Vote(models.Model):
    """One dot. A participant's dots are limited by the workshop's budget."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    note = models.ForeignKey(
        Note, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(note__isnull=False, theme__isnull=True)
                | models.Q(note__isnull=True, theme__isnull=False),
                name="vote_on_note_or_theme",
            )
        ]

    def __str__(self) -> str:
        return f"Vote {self.pk} on {'note ' + str(self.note_id) if self.note_id else 'theme ' + str(self.theme_id)}"


class ActionItem(models.Model):
    """A next step agreed in a workshop (“who takes the lead?”)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="action_items")
    title = CleanCharField(_("what"), max_length=300)
    owner_name = CleanCharField(_("who takes the lead?"), max_length=120, blank=True)
    due_date = models.DateField(_("by when?"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    notes = models.ManyToManyField(Note, blank=True, related_name="action_items")
    themes = models.ManyToManyField(Theme, blank=True, related_name="action_items")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_date", "pk"]
        verbose_name = _("next step")
        verbose_name_plural = _("next steps")

    def __str__(self) -> str:
        return self.title


class Export(models.Model):
    class Kind(models.TextChoices):
        POSTER = "poster", _("Poster (PNG)")
        PDF = "pdf", _("PDF report")
        CSV = "csv", _("Spreadsheets (CSV files in a ZIP)")
        XLSX = "xlsx", _("Spreadsheet (Excel)")
        ARCHIVE = "archive", _("Archive file (JSON)")
        EARCHIVE = "earchive", _("E-archive package (FGS/E-ARK SIP)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, null=True, blank=True, related_name="exports"
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="exports"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    #: Why the job failed: the exception of an attempt that raised, as Python wrote it, or
    #: WORKER_STOPPED (stored in English, shown translated by `error_message`).
    error = models.TextField(blank=True)
    file_path = models.CharField(max_length=300, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(workshop__isnull=False) | models.Q(challenge__isnull=False),
                name="export_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    # Every attempt ended with its worker gone (killed, out of memory, machine stopped),
    # none with an error of its own.
    WORKER_STOPPED = gettext_noop("The worker stopped during each of %(count)s attempts.")

    @property
    def error_message(self) -> str:
        """The recorded error for people: Labb's own reasons in the active language."""
        if self.error and self.error == self.WORKER_STOPPED % {"count": self.attempts}:
            return gettext(self.WORKER_STOPPED) % {"count": self.attempts}
        return self.error


class LiveEvent(models.Model):
    """A change pushed to live screens, kept briefly so a reconnecting stream can catch up.

    The row holds the typed event (`kind` and its fields in `payload`: ids and small
    numbers, `workshops.live.events`), not HTML: each screen renders it in its own language
    (`workshops.live.render`).
    """

    class Audience(models.TextChoices):
        BOARD = "board", _("Facilitator and projector screens")
        PHONES = "phones", _("Participants' phones")
        ALL = "all", _("Every screen")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="live_events")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    # Limit to one group's phones, e.g. when only that group's board changed.
    group = models.ForeignKey(Group, on_delete=models.CASCADE, null=True, blank=True)
    name = models.CharField(max_length=30)  # the event name the browser listens for
    kind = models.CharField(max_length=40)  # the event's class, e.g. "NoteAdded"
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["workshop", "id"])]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class DisposalLog(models.Model):
    """A record that a workshop's personal data was removed under the retention rules."""

    workshop_id_ref = models.BigIntegerField()
    workshop_title = models.CharField(max_length=200)
    challenge = models.ForeignKey(
        Challenge, on_delete=models.SET_NULL, null=True, related_name="disposals"
    )
    notes_removed = models.PositiveIntegerField(default=0)
    participants_removed = models.PositiveIntegerField(default=0)
    exports_removed = models.PositiveIntegerField(default=0)
    disposed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-disposed_at"]
        verbose_name = _("disposal log entry")
        verbose_name_plural = _("disposal log")

    def __str__(self) -> str:
        return f"{self.workshop_title} ({self.disposed_at:%Y-%m-%d})"
