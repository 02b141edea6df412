from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.models import Organisation
from labb.text import TextField
from workshops.board_templates import template_choices
from workshops.codes import normalise_join_code
from workshops.models import Column, Export, Group, Workshop
from workshops.services.groups import MAX_GROUPS


class WorkshopCreateForm(forms.Form):
    title = TextField(label=_("Title"), max_length=200)
    template = forms.ChoiceField(
        label=_("Template"), choices=template_choices, widget=forms.RadioSelect
    )
    question = TextField(
        label=_("Question on the board"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the template's question."),
    )
    custom_columns = TextField(
        label=_("Columns (custom template)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One column name per line."),
    )
    group_count = forms.IntegerField(
        label=_("Number of groups"), min_value=1, max_value=MAX_GROUPS, initial=4
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Workshop.Kind.choices, initial=Workshop.Kind.LIVE
    )
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    place = TextField(label=_("Place"), max_length=200, required=False)

    def __init__(self, *args, templates: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            # Only the templates the organisation offers (orgadmin's defaults).
            self.fields["template"].choices = [
                (key, name) for key, name in template_choices() if key in templates
            ]

    def clean(self):
        data = super().clean()
        if data.get("template") == "custom":
            names = [n.strip() for n in data.get("custom_columns", "").splitlines() if n.strip()]
            if not names:
                self.add_error("custom_columns", _("Name at least one column, one per line."))
            elif len(names) > 8:
                self.add_error("custom_columns", _("A board has at most 8 columns."))
            elif any(len(n) > 100 for n in names):
                self.add_error("custom_columns", _("A column name has at most 100 characters."))
            data["custom_column_list"] = names
        return data


class WorkshopSettingsForm(forms.ModelForm):
    class Meta:
        model = Workshop
        fields = [
            "title",
            "question",
            "date",
            "place",
            "group_assignment",
            "screening",
            "participants_can_cluster",
            "retain_until",
            "keep",
            "registration_number",
            "classification",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "retain_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_retain_until(self):
        value = self.cleaned_data.get("retain_until")
        unchanged = value == self.instance.retain_until
        if value is not None and not unchanged and value < timezone.localdate():
            # The retention sweep would dispose of the workshop within the hour.
            raise forms.ValidationError(
                _(
                    "That date has passed, so the workshop would be deleted at once. "
                    "Choose today or a later date."
                ),
                code="past",
            )
        return value


class GroupNameForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name"]


class JoinCodeForm(forms.Form):
    code = TextField(
        label=_("Join code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return normalise_join_code(self.cleaned_data["code"])


class _PlainQueryChoices(forms.models.ModelChoiceIterator):
    """The choices in one plain SELECT. Django's iterator() opens a server-side cursor
    (DECLARE … WITH HOLD, FETCH, CLOSE: three round trips, and a result PostgreSQL keeps
    past the transaction) for the 1-30 groups of a workshop; the join page renders it for
    every phone (issue 13)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class GroupChoiceField(forms.ModelChoiceField):
    iterator = _PlainQueryChoices


class JoinForm(forms.Form):
    display_name = TextField(
        label=_("Your name (optional)"),
        max_length=60,
        required=False,
        help_text=_("Leave empty to take part anonymously."),
    )
    group = GroupChoiceField(
        label=_("Your group"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("Choose later"),
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = workshop.groups.all()
        if workshop.group_assignment != Workshop.GroupAssignment.CHOOSE:
            del self.fields["group"]

    def clean_display_name(self) -> str:
        return self.cleaned_data["display_name"].replace("\x00", "").strip()


class ChooseGroupForm(forms.Form):
    group = GroupChoiceField(label=_("Your group"), queryset=Group.objects.none())

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = workshop.groups.all()


class NoteForm(forms.Form):
    column = forms.ModelChoiceField(label=_("Column"), queryset=Column.objects.none())
    text = TextField(
        label=_("Your note"),
        max_length=settings.LABB_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("A note can be at most %(limit_value)d characters.")},
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["column"].queryset = workshop.columns.all()


class NoteEditForm(forms.Form):
    text = TextField(
        label=_("Note"),
        max_length=settings.LABB_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class BulkNotesForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none())
    column = forms.ModelChoiceField(label=_("Column"), queryset=Column.objects.none())
    lines = TextField(
        label=_("Notes, one per line"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50_000,
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = workshop.groups.all()
        self.fields["column"].queryset = workshop.columns.all()


class ExportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of export"), choices=Export.Kind.choices)

    def __init__(self, *args, **kwargs):
        # The panel's select is #export-kind: error links point at it.
        kwargs.setdefault("auto_id", "export-%s")
        super().__init__(*args, **kwargs)


class ArchiveImportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Import into"), queryset=Organisation.objects.none()
    )
    file = forms.FileField(
        label=_("Archive file (JSON)"),
        help_text=_("A file exported from a Labb server with “Archive file (JSON)”."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(choices=Workshop.Phase.choices)


class TimerForm(forms.Form):
    ACTIONS = ["start", "pause", "resume", "extend", "stop"]
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    minutes = forms.DecimalField(
        label=_("Minutes"), min_value=0.1, max_value=240, decimal_places=1, required=False
    )
    locks_writing = forms.BooleanField(label=_("Stop writing when the time is up"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") in {"start", "extend"} and not data.get("minutes"):
            self.add_error("minutes", _("Say how many minutes."))
        return data


class VotingForm(forms.ModelForm):
    class Meta:
        model = Workshop
        fields = ["vote_budget", "votes_stackable", "votes_hidden", "votes_on_themes_only"]
        help_texts = {
            "votes_on_themes_only": _(
                "Phones list only the themes. Best when there are many notes."
            )
        }
        widgets = {"vote_budget": forms.NumberInput(attrs={"min": 1, "max": 20})}

    def clean_vote_budget(self) -> int:
        budget = self.cleaned_data["vote_budget"]
        if not 1 <= budget <= 20:
            raise forms.ValidationError(_("Between 1 and 20 votes."))
        return budget


class ThemeNameForm(forms.Form):
    name = TextField(label=_("Theme"), max_length=120)


class ActionItemForm(forms.Form):
    title = TextField(label=_("What"), max_length=300)
    owner_name = TextField(label=_("Who takes the lead?"), max_length=120, required=False)
    due_date = forms.DateField(
        label=_("By when?"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("From themes"),
        queryset=Workshop.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = workshop.themes.all()


class MoveParticipantForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none())

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = workshop.groups.all()
