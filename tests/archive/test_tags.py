"""Tags ignore case (issue 14): one tag for “Samverkan” and “samverkan”, and a migration
that merged the duplicates made before."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from challenges.forms import ChallengeForm
from challenges.models import Challenge, Organisation, Tag

BEFORE = [("challenges", "0005_search_folding")]
AFTER = [("challenges", "0006_tag_name_any_case")]


def challenge_form(user, organisation, tag_names: str, instance=None) -> ChallengeForm:
    data = {
        "organisation": organisation.pk,
        "question": "Hur samverkar vi bättre?",
        "description": "",
        "status": Challenge.Status.EXPLORING,
        "visibility": Challenge.Visibility.ORGANISATION,
        "tag_names": tag_names,
    }
    return ChallengeForm(data, user=user, instance=instance)


@pytest.mark.django_db
def test_the_form_reuses_a_tag_whatever_its_case(facilitator, org_x):
    existing = Tag.objects.create(name="Samverkan")
    form = challenge_form(facilitator, org_x, "samverkan, SAMVERKAN, Hållbar utveckling")
    assert form.is_valid(), form.errors
    challenge = form.save()
    assert set(challenge.tags.all()) == {existing, Tag.objects.get(name="hållbar utveckling")}
    assert Tag.objects.filter(name__iexact="samverkan").count() == 1
    again = challenge_form(facilitator, org_x, "HÅLLBAR UTVECKLING", instance=challenge)
    assert again.is_valid(), again.errors
    assert list(again.save().tags.values_list("name", flat=True)) == ["hållbar utveckling"]
    assert Tag.objects.count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_tag_differing_in_case():
    Tag.objects.create(name="samverkan")
    with pytest.raises(ValidationError, match="There is already a tag with this name"):
        Tag(name="Samverkan").full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Tag.objects.create(name="SAMVERKAN")
    if connection.vendor == "postgresql":  # SQLite's lower() folds ASCII letters only
        Tag.objects.create(name="åtgärder")
        with transaction.atomic(), pytest.raises(IntegrityError):
            Tag.objects.create(name="ÅTGÄRDER")


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_tags_differing_in_case():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldTag = old.get_model("challenges", "Tag")
    OldChallenge = old.get_model("challenges", "Challenge")
    organisation = old.get_model("challenges", "Organisation").objects.create(
        name="Region Test", slug="region-test"
    )
    first, second, third = (
        OldChallenge.objects.create(organisation=organisation, question=f"Fråga {n}")
        for n in (1, 2, 3)
    )
    upper = OldTag.objects.create(name="Samverkan")  # older, one challenge
    lower = OldTag.objects.create(name="samverkan")  # newer, two challenges: kept
    shout = OldTag.objects.create(name="SAMVERKAN")
    other = OldTag.objects.create(name="Hållbar utveckling")
    other_lower = OldTag.objects.create(name="hållbar utveckling")
    upper.challenges.add(first)
    lower.challenges.add(first, second)
    shout.challenges.add(third)
    other.challenges.add(second)
    other_lower.challenges.add(third)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    assert sorted(Tag.objects.values_list("name", flat=True)) == [
        "Hållbar utveckling",  # one challenge each: the older kept
        "samverkan",
    ]
    kept = Tag.objects.get(name="samverkan")
    assert kept.pk == lower.pk
    assert set(kept.challenges.values_list("pk", flat=True)) == {first.pk, second.pk, third.pk}
    merged = Tag.objects.get(pk=other.pk).challenges.values_list("pk", flat=True)
    assert set(merged) == {second.pk, third.pk}
    assert Challenge.tags.through.objects.count() == 5
    assert Organisation.objects.filter(slug="region-test").exists()
