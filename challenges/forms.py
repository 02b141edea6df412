from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.access import organisations_led_by
from challenges.models import Challenge, LearningEntry, Tag
from labb.text import TextField


class ChallengeForm(forms.ModelForm):
    tag_names = TextField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas, e.g. “samverkan, hållbarhet”."),
    )

    class Meta:
        model = Challenge
        fields = [
            "organisation",
            "question",
            "description",
            "status",
            "visibility",
            "registration_number",
            "classification",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_led_by(user)
        organisations = self.fields["organisation"].queryset
        if not self.instance.pk and len(organisations[:2]) == 1:
            # One organisation to choose from: choose it, so the first save cannot fail.
            self.fields["organisation"].initial = organisations[0]
            self.fields["organisation"].empty_label = None
            # The organisation's admins chose the visibility new challenges start with.
            self.fields["visibility"].initial = organisations[0].default_visibility
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_tag_names(self) -> list[str]:
        names = []
        for raw in self.cleaned_data["tag_names"].split(","):
            name = " ".join(raw.split()).lower()[:60]
            if name and name not in names:
                names.append(name)
        if len(names) > 20:
            raise forms.ValidationError(_("At most 20 tags."))
        return names

    def save(self, commit: bool = True) -> Challenge:
        challenge = super().save(commit=commit)
        if commit:
            # Tags ignore case: “samverkan” reuses an existing “Samverkan”.
            tags = [
                Tag.objects.get_or_create(name__iexact=name, defaults={"name": name})[0]
                for name in self.cleaned_data["tag_names"]
            ]
            challenge.tags.set(tags)
        return challenge


class ChallengeStatusForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["status"]


class LearningEntryForm(forms.ModelForm):
    class Meta:
        model = LearningEntry
        fields = ["workshop", "learned", "next_test"]
        widgets = {
            "learned": forms.Textarea(attrs={"rows": 3}),
            "next_test": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, challenge: Challenge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = challenge.workshops.order_by("date", "pk")
        self.fields["workshop"].required = False
        self.fields["workshop"].label = _("After which workshop?")
