"""A note on a phone's group board has one markup: the page and the live events render the
same partial (`_phone_group_note.html`), so they cannot drift apart (colour, Move form)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.support.live import event_html
from tests.support.steps import join_as, post_note
from workshops.models import Note, Workshop
from workshops.services.notes import note_update
from workshops.services.themes import theme_create


def _item(html: str, note: Note) -> str:
    """The note's <li>, without what differs by design: the out-of-band swap attribute and
    the per-session CSRF field (live fragments post with htmx's CSRF header)."""
    match = re.search(rf'<li class="own-note[^"]*" id="pnote-{note.pk}".*?</li>', html, re.S)
    assert match, f"no item for note {note.pk}"
    item = match.group(0)
    item = re.sub(r' hx-swap-oob="[^"]*"', "", item)
    item = re.sub(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', "", item)
    return re.sub(r"\s+", " ", item)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phase", "may_cluster"),
    [
        (Workshop.Phase.REVEAL, False),
        (Workshop.Phase.CLUSTER, True),
        (Workshop.Phase.CLUSTER, False),
    ],
)
def test_a_live_note_has_the_markup_of_the_phone_page(
    workshop, captured_events, django_capture_on_commit_callbacks, phase, may_cluster
):
    workshop.phase = phase
    workshop.participants_can_cluster = may_cluster
    workshop.save(update_fields=["phase", "participants_can_cluster"])
    theme_note_column = workshop.columns.order_by("position").last()
    phone = Client()
    join_as(phone, workshop, name="Kim")
    theme_create(workshop=workshop, name="Samverkan")
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            post_note(
                phone, workshop, text="Tydliga roller & mandat", column=theme_note_column
            ).status_code
            == 302
        )
    note = Note.objects.get(workshop=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        note_update(note=note, text="Tydliga roller, mandat & resurser")
    note.refresh_from_db()
    phone_events = [e for e in captured_events if e.audience == "phones"]
    assert [e.name for e in phone_events] == ["note", "note-changed"]
    page = phone.get(f"/p/{workshop.pk}/").content.decode()
    expected = _item(page, note)
    assert f"colour-{theme_note_column.colour}" in expected
    assert ('name="theme"' in expected) is may_cluster
    assert "Samverkan" in expected if may_cluster else "Samverkan" not in expected
    assert _item(event_html(phone_events[1], screen="phone"), note) == expected
    # The new-note event carries the same item (rendered now, with the note as it is now).
    assert _item(event_html(phone_events[0], screen="phone"), note) == expected
