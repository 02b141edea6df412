from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from labb.text import CleanCharField, CleanTextField


class Visibility(models.TextChoices):
    """Who sees a challenge (and its workshops); `challenges/access.py` applies it."""

    PRIVATE = "private", _("Private (the organisation's facilitators)")
    ORGANISATION = "organisation", _("Organisation (everyone in the organisation)")
    SHARED = "shared", _("Shared (every user of this Labb server)")


class Organisation(models.Model):
    """A region, municipality or agency that runs labs."""

    name = CleanCharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    default_retention_days = models.PositiveIntegerField(
        _("default retention (days)"),
        default=365,
        help_text=_("How long a workshop's notes are kept after it ends, unless marked keep."),
    )
    # Defaults the organisation's admins set (orgadmin/): new challenges and workshops
    # start from them.
    default_visibility = models.CharField(
        _("default visibility of new challenges"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.ORGANISATION,
    )
    default_vote_budget = models.PositiveSmallIntegerField(
        _("default votes per participant"), default=5
    )
    # Template keys (workshops/board_templates.py) offered when a workshop is created;
    # empty means every template.
    templates_offered = models.JSONField(_("templates offered"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("Facilitator")
        STAFF = "staff", _("Staff (read only)")
        # A facilitator who also manages the members, the defaults and reads the audit trail.
        ADMIN = "admin", _("Organisation admin")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class Tag(models.Model):
    """A word that groups challenges. Case does not matter: “Samverkan” and “samverkan”
    are one tag (a unique constraint on the lower-cased name; find one with
    `name__iexact`). Migration 0006 merged the duplicates made before."""

    name = CleanCharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="unique_tag_name_any_case",
                violation_error_message=_("There is already a tag with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Challenge(models.Model):
    class Status(models.TextChoices):
        EXPLORING = "exploring", _("Exploring")
        TESTING = "testing", _("Testing")
        IMPLEMENTING = "implementing", _("Implementing")
        DONE = "done", _("Done")
        PAUSED = "paused", _("Paused")

    Visibility = Visibility

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="challenges"
    )
    question = CleanCharField(_("question"), max_length=300, help_text=_("“How might we …?”"))
    description = CleanTextField(_("description"), blank=True, max_length=5000)
    tags = models.ManyToManyField(Tag, blank=True, related_name="challenges")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.EXPLORING
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.ORGANISATION,
    )
    # Records management: the organisation's registry (diarium) and filing plan.
    registration_number = CleanCharField(
        _("registration number"),
        max_length=100,
        blank=True,
        help_text=_("The registry's number for the case (diarienummer), e.g. “RS 2026/123”."),
    )
    classification = CleanCharField(
        _("classification"),
        max_length=100,
        blank=True,
        help_text=_(
            "The code from the organisation's classification scheme (klassificeringsstruktur), "
            "e.g. “2.3.1”."
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
        ordering = ["-created_at"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("challenge_detail", args=[self.pk])


class LearningEntry(models.Model):
    """The facilitator's short log after a session: what we learned, what we test next."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="learnings")
    workshop = models.ForeignKey(
        "workshops.Workshop",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learnings",
    )
    learned = CleanTextField(_("what did we learn?"), max_length=5000)
    next_test = CleanTextField(_("what do we test next?"), blank=True, max_length=5000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("learning log entry")
        verbose_name_plural = _("learning log entries")

    def __str__(self) -> str:
        return self.learned[:60]
