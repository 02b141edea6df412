from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent
from challenges.models import Membership, Organisation
from workshops.board_templates import template_choices
from workshops.services.votes import MAX_VOTE_BUDGET

MAX_RETENTION_DAYS = 3650


class MemberAddForm(forms.Form):
    user = forms.CharField(
        label=_("User name or email address"),
        max_length=254,
        help_text=_("The person must have signed in to Labb once."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_user(self):
        value = self.cleaned_data["user"].strip()
        users = get_user_model()._default_manager.filter(
            Q(username__iexact=value) | Q(email__iexact=value), is_active=True
        )
        found = list(users[:2])
        if not found:
            raise forms.ValidationError(_("No one with this user name or email has signed in."))
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several people have this email address: give the user name.")
            )
        if Membership.objects.filter(user=found[0], organisation=self.organisation).exists():
            raise forms.ValidationError(_("This person is already a member."))
        return found[0]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class OrganisationDefaultsForm(forms.ModelForm):
    templates_offered = forms.MultipleChoiceField(
        label=_("Templates offered"),
        choices=template_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every template is offered."),
    )

    class Meta:
        model = Organisation
        fields = [
            "default_retention_days",
            "default_visibility",
            "default_vote_budget",
            "templates_offered",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_retention_days"].widget.attrs.update(min=1, max=MAX_RETENTION_DAYS)
        self.fields["default_vote_budget"].widget.attrs.update(min=1, max=MAX_VOTE_BUDGET)

    def clean_default_retention_days(self):
        days = self.cleaned_data["default_retention_days"]
        if not 1 <= days <= MAX_RETENTION_DAYS:
            raise forms.ValidationError(
                _("Between 1 and %(max)s days.") % {"max": MAX_RETENTION_DAYS}
            )
        return days

    def clean_default_vote_budget(self):
        budget = self.cleaned_data["default_vote_budget"]
        if not 1 <= budget <= MAX_VOTE_BUDGET:
            raise forms.ValidationError(
                _("Between 1 and %(max)s votes.") % {"max": MAX_VOTE_BUDGET}
            )
        return budget


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything"))] + list(AuditEvent.Action.choices),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The first day comes after the last."))
        return data
