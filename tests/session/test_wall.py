"""The clustering wall's endpoints: move one or several notes, undo a move, reject a
suggestion for good. Each answers the wall with only the changed cards and counts, and
pushes the same to the board screens."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.support.http import in_language
from tests.support.live import event_html
from tests.support.steps import add_note, set_phase
from workshops import wall
from workshops.live.audience import Screen, reaches
from workshops.live.events import BOARD, NotesMoved, ThemeSaved
from workshops.models import Note, SuggestionRejection, Theme, ThemeMove, Workshop
from workshops.screens import stage_context
from workshops.services import themes
from workshops.services.workshops import workshop_create

Phase = Workshop.Phase
FRAGMENT = {"HTTP_HX_REQUEST": "true"}
TEXTS = [
    "Stuprör mellan förvaltningarna",
    "Alla jobbar i sina egna stuprör",
    "Stuprörstänk hos myndigheterna",
    "Stuprör och revir överallt",
    "Pengar saknas",
    "Finansiering saknas för långsiktigt arbete",
]


@pytest.fixture
def cluster(workshop, phones):
    notes = [add_note(workshop, phones[i % 4][1], text) for i, text in enumerate(TEXTS)]
    set_phase(workshop, Phase.CLUSTER)
    workshop.refresh_from_db()
    silos = themes.theme_create(workshop=workshop, name="Silos")
    money = themes.theme_create(workshop=workshop, name="Pengar")
    return workshop, notes, silos, money


def _url(workshop, path: str) -> str:
    return f"/workshops/{workshop.pk}/{path}"


def _theme_ids(notes) -> list:
    return [Note.objects.get(pk=n.pk).theme_id for n in notes]


# --- Moves -----------------------------------------------------------------------------------


def test_several_notes_move_at_once_and_only_their_cards_come_back(facilitator_client, cluster):
    workshop, notes, silos, _money = cluster
    response = facilitator_client.post(
        _url(workshop, "notes/move/"),
        {"note": [notes[0].pk, notes[1].pk, notes[2].pk], "theme": silos.pk},
        **FRAGMENT,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert _theme_ids(notes[:3]) == [silos.pk] * 3
    assert _theme_ids(notes[3:]) == [None] * 3
    # The three cards, the two counts and the status with Undo; nothing else of the wall.
    for note in notes[:3]:
        assert f'id="cnote-{note.pk}"' in html
    for note in notes[3:]:
        assert f'id="cnote-{note.pk}"' not in html
    assert f'id="wall-count-{silos.pk}" data-wall-swap="outer">3<' in html
    assert 'id="wall-count-none" data-wall-swap="outer">3<' in html
    assert "Moved 3 notes to “Silos”." in html and "Undo" in html
    assert "<html" not in html and 'id="wall-cards"' not in html


def test_a_move_without_javascript_goes_back_to_the_overview(facilitator_client, cluster):
    workshop, notes, silos, _money = cluster
    response = facilitator_client.post(
        _url(workshop, "notes/move/"), {"note": [notes[0].pk], "theme": silos.pk}
    )
    assert response.status_code == 302
    assert _theme_ids(notes[:1]) == [silos.pk]
    board = facilitator_client.get(response["Location"]).content.decode()
    assert "Moved 1 note to “Silos”." in board


def test_a_move_out_of_every_theme(facilitator_client, cluster):
    workshop, notes, silos, _money = cluster
    themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=silos)
    response = facilitator_client.post(
        _url(workshop, "notes/move/"), {"note": [notes[0].pk], "theme": ""}, **FRAGMENT
    )
    assert response.status_code == 200
    assert "Moved 1 note out of its theme." in response.content.decode()
    assert _theme_ids(notes[:1]) == [None]


def test_duplicates_travel_with_their_note(cluster):
    workshop, notes, silos, _money = cluster
    themes.note_merge_duplicate(note=notes[1], into=notes[0])
    themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=silos)
    assert _theme_ids(notes[:2]) == [silos.pk, silos.pk]
    counts = wall.theme_counts(workshop)
    assert counts[silos.pk] == 2
    # A duplicate is not a card of its own: it cannot be moved apart from its note.
    with pytest.raises(ValidationError):
        themes.notes_move(workshop=workshop, note_ids=[notes[1].pk], theme=None)


def test_a_move_is_pushed_to_board_screens_with_the_cards_and_counts(
    cluster, captured_events, django_capture_on_commit_callbacks
):
    workshop, notes, silos, _money = cluster
    with django_capture_on_commit_callbacks(execute=True):
        move = themes.notes_move(
            workshop=workshop, note_ids=[notes[0].pk, notes[4].pk], theme=silos
        )
    assert [(e.event, e.audience) for e in captured_events] == [
        (
            NotesMoved(
                move_id=move.pk,
                note_ids=sorted([notes[0].pk, notes[4].pk]),
                theme_ids=[None, silos.pk],
            ),
            BOARD,
        )
    ]
    assert captured_events[0].name == "theme-move"
    # Rendered at the edge, in the board screen's language, with the wall's partials.
    data = event_html(captured_events[0])
    assert data.count('class="cluster-note wall-card') == 2
    assert f'id="wall-count-{silos.pk}" data-wall-swap="outer">2<' in data
    assert 'id="wall-count-none" data-wall-swap="outer">4<' in data
    assert "<select" not in data


def test_a_move_is_rendered_in_each_board_screens_language_and_not_for_phones(
    cluster, captured_events, django_capture_on_commit_callbacks
):
    workshop, notes, silos, _money = cluster
    themes.note_merge_duplicate(note=notes[1], into=notes[0])
    with django_capture_on_commit_callbacks(execute=True):
        themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=silos)
    (sent,) = captured_events
    english = event_html(sent, language="en")
    swedish = event_html(sent, language="sv")
    assert 'aria-label="Duplicates"' in english and ">Separate<" in english
    assert 'aria-label="Dubbletter"' in swedish and ">Separera<" in swedish
    # Rendered as the notes are now: a note hidden since is not sent.
    Note.objects.filter(pk=notes[0].pk).update(status=Note.Status.HIDDEN)
    assert f'id="cnote-{notes[0].pk}"' not in event_html(sent)
    # Board screens get it, phones never (the one audience rule).
    assert reaches(Screen(kind="board", language="sv"), sent.audience, sent.group_id)
    assert not reaches(Screen(kind="phone", language="sv"), sent.audience, sent.group_id)


@pytest.mark.parametrize(
    "data,message",
    [
        ({"theme": "{silos}"}, "Välj minst en lapp att flytta."),
        (
            {"note": ["x"], "theme": "{silos}"},
            "Några av lapparna finns inte på den här workshoppens tavlor.",
        ),
        ({"note": ["{note}"], "theme": "999999"}, "Temat finns inte i den här workshoppen."),
        ({"note": ["{note}", "999999"], "theme": ""}, "Några av lapparna"),
    ],
)
def test_bad_moves_are_refused_with_a_translated_reason(facilitator_client, cluster, data, message):
    workshop, notes, silos, _money = cluster
    fill = {"silos": silos.pk, "note": notes[0].pk}
    data = {
        k: [str(v).format(**fill) for v in vs] if isinstance(vs, list) else vs.format(**fill)
        for k, vs in data.items()
    }
    response = in_language(facilitator_client, "sv").post(
        _url(workshop, "notes/move/"), data, **FRAGMENT
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _theme_ids(notes) == [None] * len(notes)
    assert not ThemeMove.objects.exists()


def test_a_theme_of_another_workshop_is_refused(
    facilitator_client, cluster, challenge, facilitator
):
    workshop, notes, _silos, _money = cluster
    other = workshop_create(
        challenge=challenge, user=facilitator, title="B", template_key="brainstorm", group_count=1
    )
    foreign = themes.theme_create(workshop=other, name="Annat")
    response = facilitator_client.post(
        _url(workshop, "notes/move/"), {"note": [notes[0].pk], "theme": foreign.pk}, **FRAGMENT
    )
    assert response.status_code == 400
    assert "That theme is not in this workshop." in response.content.decode()
    assert _theme_ids(notes[:1]) == [None]


# --- Undo --------------------------------------------------------------------------------------


def test_undo_puts_every_note_back_in_its_own_previous_theme(facilitator_client, cluster):
    workshop, notes, silos, money = cluster
    themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=silos)
    themes.notes_move(workshop=workshop, note_ids=[notes[4].pk], theme=money)
    move = themes.notes_move(
        workshop=workshop, note_ids=[notes[0].pk, notes[4].pk, notes[5].pk], theme=silos
    )
    response = facilitator_client.post(_url(workshop, f"moves/{move.pk}/undo/"), **FRAGMENT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Undone: the notes are back where they were." in html
    assert "data-wall-undo" not in html  # an undo is not itself undone
    assert _theme_ids([notes[0], notes[4], notes[5]]) == [silos.pk, money.pk, None]
    # Twice is refused: the move is already undone.
    again = in_language(facilitator_client, "sv").post(
        _url(workshop, f"moves/{move.pk}/undo/"), **FRAGMENT
    )
    assert again.status_code == 409
    assert "Den flytten är redan ångrad." in again.content.decode()


def test_undo_leaves_a_note_that_was_moved_again_where_it_is(cluster):
    workshop, notes, silos, money = cluster
    move = themes.notes_move(workshop=workshop, note_ids=[notes[0].pk, notes[1].pk], theme=silos)
    themes.notes_move(workshop=workshop, note_ids=[notes[1].pk], theme=money)
    themes.move_undo(move=move)
    assert _theme_ids(notes[:2]) == [None, money.pk]


def test_undo_after_the_old_theme_was_dissolved_leaves_the_note_without_a_theme(cluster):
    workshop, notes, silos, money = cluster
    themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=money)
    move = themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=silos)
    themes.theme_dissolve(theme=Theme.objects.get(pk=money.pk))
    themes.move_undo(move=move)
    assert _theme_ids(notes[:1]) == [None]


def test_undo_is_pushed_to_board_screens(
    cluster, captured_events, django_capture_on_commit_callbacks
):
    workshop, notes, silos, _money = cluster
    move = themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=silos)
    with django_capture_on_commit_callbacks(execute=True):
        themes.move_undo(move=move)
    assert [e.event for e in captured_events] == [
        NotesMoved(move_id=move.pk, note_ids=[notes[0].pk], theme_ids=[None, silos.pk])
    ]
    data = event_html(captured_events[0])
    assert f'id="cnote-{notes[0].pk}"' in data
    assert 'data-theme=""' in data


def test_a_move_of_another_workshop_cannot_be_undone_here(
    facilitator_client, cluster, challenge, facilitator
):
    workshop, notes, silos, _money = cluster
    other = workshop_create(
        challenge=challenge, user=facilitator, title="B", template_key="brainstorm", group_count=1
    )
    move = themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=silos)
    response = facilitator_client.post(_url(other, f"moves/{move.pk}/undo/"))
    assert response.status_code == 404
    assert _theme_ids(notes[:1]) == [silos.pk]


# --- Suggestions ------------------------------------------------------------------------------


def _silo_suggestion(workshop, notes):
    suggestions = stage_context(workshop, screen="facilitator")["suggestions"]
    return next(s for s in suggestions if notes[0].pk in s["note_ids"])


def test_a_rejected_suggestion_never_comes_back_not_even_with_a_note_fewer(
    facilitator_client, cluster
):
    workshop, notes, _silos, _money = cluster
    silos = _silo_suggestion(workshop, notes)
    assert len(silos["note_ids"]) >= 3
    response = facilitator_client.post(
        _url(workshop, "suggestions/reject/"),
        {"key": silos["key"], "name": silos["label"]},
        **FRAGMENT,
    )
    assert response.status_code == 200
    assert f'id="suggestion-{silos["key"]}" data-wall-swap="delete"' in response.content.decode()
    rejection = SuggestionRejection.objects.get(workshop=workshop)
    assert rejection.note_ids == sorted(silos["note_ids"]) and rejection.label == silos["label"]
    # One of its notes is put in a theme: the rest would be suggested again, one note fewer.
    fewer = [pk for pk in silos["note_ids"] if pk != silos["note_ids"][-1]]
    assert wall.is_rejected(fewer, [frozenset(silos["note_ids"])])
    themes.theme_create(workshop=workshop, name="Annat", note_ids=[silos["note_ids"][-1]])
    suggestions = stage_context(workshop, screen="facilitator")["suggestions"]
    assert not any(set(s["note_ids"]) & set(fewer) for s in suggestions), suggestions
    board = facilitator_client.get(_url(workshop, "board/")).content.decode()
    assert f'value="{silos["key"]}"' not in board


def test_what_counts_as_the_same_suggestion():
    rejected = [frozenset({1, 2, 3})]
    assert wall.is_rejected({1, 2, 3}, rejected)
    assert wall.is_rejected({1, 2}, rejected)  # a note fewer
    assert wall.is_rejected({1, 2, 3, 4}, rejected)  # a note more
    assert not wall.is_rejected({1, 4, 5, 6}, rejected)  # one note in common of four
    assert not wall.is_rejected({4, 5}, rejected)
    assert not wall.is_rejected(set(), rejected)


def test_accepting_a_suggestion_renamed_and_with_a_note_left_out(facilitator_client, cluster):
    workshop, notes, _silos, _money = cluster
    silos = _silo_suggestion(workshop, notes)
    keep = list(silos["note_ids"][:-1])
    response = facilitator_client.post(
        _url(workshop, "suggestions/accept/"),
        {"key": silos["key"], "name": "Revir", "note": keep},
        **FRAGMENT,
    )
    assert response.status_code == 200
    html = response.content.decode()
    theme = Theme.objects.get(workshop=workshop, name="Revir")
    assert sorted(theme.notes.values_list("pk", flat=True)) == sorted(keep)
    assert Note.objects.get(pk=silos["note_ids"][-1]).theme_id is None
    # In place: the suggestion goes, the theme panel and the moved cards come, no refetch.
    assert "Theme “Revir” created." in html and "data-wall-refetch" not in html
    assert f'id="suggestion-{silos["key"]}" data-wall-swap="delete"' in html
    assert f'id="wall-count-{theme.pk}">{len(keep)}<' in html
    assert html.count('class="cluster-note wall-card') == len(keep)
    assert 'id="wall-cards"' not in html


def test_adding_a_theme_answers_in_place_and_reaches_the_other_screens(
    facilitator_client, cluster, captured_events, django_capture_on_commit_callbacks
):
    workshop, _notes, silos, money = cluster
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(_url(workshop, "themes/"), {"name": "Tid"}, **FRAGMENT)
    assert response.status_code == 200
    html = response.content.decode()
    theme = Theme.objects.get(workshop=workshop, name="Tid")
    # The theme panel and the three lists of themes, marked for the wall to swap; no cards,
    # no refetch of the stage.
    assert "Theme “Tid” created." in html and "data-wall-refetch" not in html
    assert '<ul id="wall-themes" class="wall-themes" data-wall-swap="inner">' in html
    assert f'id="theme-{theme.pk}" data-drop-theme="{theme.pk}"' in html
    for part in ("wall-filter-theme", "wall-move-theme", "wall-move-options"):
        assert f'id="{part}"' in html
    # The filter, the toolbar and the "Merge into" lists of the two other themes.
    assert html.count(f'value="{theme.pk}">Tid</option>') == 2 + 2
    assert f'data-wall-move-to="{theme.pk}">Tid<' in html
    assert "wall-card" not in html and 'id="wall-cards"' not in html
    # The other board screens: a typed event, rendered at the edge with the same panel.
    assert [(e.event, e.audience) for e in captured_events] == [
        (ThemeSaved(theme_id=theme.pk, note_ids=[]), BOARD)
    ]
    assert captured_events[0].name == "theme-saved"
    pushed = event_html(captured_events[0])
    assert f'id="theme-name-{theme.pk}" lang="sv">Tid<' in pushed
    assert f'id="theme-{silos.pk}"' in pushed and f'id="theme-{money.pk}"' in pushed


def test_renaming_a_theme_answers_in_place_with_its_cards(
    facilitator_client, cluster, captured_events, django_capture_on_commit_callbacks
):
    workshop, notes, silos, _money = cluster
    themes.notes_move(workshop=workshop, note_ids=[notes[0].pk, notes[1].pk], theme=silos)
    url = _url(workshop, f"themes/{silos.pk}/rename/")
    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_client.post(url, {"name": "Revir"}, **FRAGMENT)
    assert response.status_code == 200
    html = response.content.decode()
    assert Theme.objects.get(pk=silos.pk).name == "Revir"
    assert "Theme renamed to “Revir”." in html
    assert f'id="theme-name-{silos.pk}" lang="sv">Revir<' in html
    assert f'value="{silos.pk}">Revir</option>' in html
    # Its cards carry its name: they come too, and only they.
    assert html.count('class="cluster-note wall-card') == 2
    assert html.count('<span class="wall-badge">Revir</span>') == 2
    assert [e.event for e in captured_events] == [
        ThemeSaved(theme_id=silos.pk, note_ids=sorted([notes[0].pk, notes[1].pk]))
    ]
    assert html.count('<span class="wall-badge">Revir</span>') == event_html(
        captured_events[0]
    ).count('<span class="wall-badge">Revir</span>')
    refused = in_language(facilitator_client, "sv").post(url, {"name": " "}, **FRAGMENT)
    assert refused.status_code == 400
    assert "Ge temat ett namn" in refused.content.decode()
    assert Theme.objects.get(pk=silos.pk).name == "Revir"


def test_the_suggestions_follow_the_notes_without_a_theme(facilitator_client, cluster):
    workshop, notes, _silos, money = cluster
    url = _url(workshop, "suggestions/")
    silos = _silo_suggestion(workshop, notes)
    html = facilitator_client.get(url, **FRAGMENT).content.decode()
    assert '<details id="wall-suggestions"' in html and 'data-wall-swap="inner"' in html
    assert f'id="suggestion-{silos["key"]}"' in html
    # Two of its notes go into a theme: it is not offered as it was any more.
    themes.notes_move(workshop=workshop, note_ids=silos["note_ids"][:2], theme=money)
    html = facilitator_client.get(url, **FRAGMENT).content.decode()
    assert f'id="suggestion-{silos["key"]}"' not in html
    for pk in silos["note_ids"][:2]:
        assert f'name="note" value="{pk}"' not in html


def test_a_rejected_suggestion_is_not_fetched_again(facilitator_client, cluster):
    workshop, notes, _silos, money = cluster
    silos = _silo_suggestion(workshop, notes)
    facilitator_client.post(
        _url(workshop, "suggestions/reject/"), {"key": silos["key"]}, **FRAGMENT
    )
    others = [n.pk for n in notes if n.pk not in silos["note_ids"]]
    themes.notes_move(workshop=workshop, note_ids=others[:1], theme=money)
    html = facilitator_client.get(_url(workshop, "suggestions/"), **FRAGMENT).content.decode()
    assert f'name="note" value="{silos["note_ids"][0]}"' not in html


@pytest.mark.parametrize(
    "path,data,message",
    [
        ("suggestions/accept/", {"name": "Revir"}, "Välj minst en lapp till temat."),
        ("suggestions/accept/", {"name": " ", "note": ["{note}"]}, "Ge temat ett namn"),
        ("suggestions/reject/", {"key": ""}, "Förslaget finns inte längre."),
        ("suggestions/reject/", {"key": "1-x"}, "Förslaget finns inte längre."),
        ("suggestions/reject/", {"key": "999999"}, "Förslaget finns inte längre."),
    ],
)
def test_bad_suggestion_answers_are_refused_with_a_translated_reason(
    facilitator_client, cluster, path, data, message
):
    workshop, notes, _silos, _money = cluster
    data = {
        k: [v.format(note=notes[0].pk) for v in vs] if isinstance(vs, list) else vs
        for k, vs in data.items()
    }
    response = in_language(facilitator_client, "sv").post(_url(workshop, path), data, **FRAGMENT)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Theme.objects.filter(workshop=workshop).count() == 2
    assert not SuggestionRejection.objects.exists()


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path,data",
    [
        ("notes/move/", {"note": "{note}", "theme": "{theme}"}),
        ("moves/{move}/undo/", {}),
        ("suggestions/reject/", {"key": "{note}"}),
        ("suggestions/accept/", {"name": "X", "note": "{note}"}),
        ("notes/merge/", {"note": ["{note}", "{other}"]}),
    ],
)
def test_wall_endpoints_are_for_the_workshops_facilitator_only(
    path, data, client, cluster, other_facilitator, phones
):
    workshop, notes, silos, money = cluster
    move = themes.notes_move(workshop=workshop, note_ids=[notes[1].pk], theme=money)
    fill = {"note": notes[0].pk, "other": notes[2].pk, "theme": silos.pk, "move": move.pk}
    url = _url(workshop, path.format(**fill))
    data = {
        k: [x.format(**fill) for x in v] if isinstance(v, list) else str(v).format(**fill)
        for k, v in data.items()
    }
    assert client.post(url, data).status_code == 302  # anonymous: to the login page
    assert phones[0][0].post(url, data).status_code == 302  # a participant: the same
    client.force_login(other_facilitator)
    assert client.post(url, data, **FRAGMENT).status_code == 404
    assert _theme_ids(notes[:2]) == [None, money.pk]
    assert ThemeMove.objects.get().undone_at is None
    assert not SuggestionRejection.objects.exists()
    assert Theme.objects.filter(workshop=workshop).count() == 2
    assert not Note.objects.filter(merged_into__isnull=False).exists()


@pytest.mark.parametrize("path", ["notes/move/", "moves/1/undo/", "notes/merge/"])
def test_wall_endpoints_take_only_post(facilitator_client, cluster, path):
    workshop, _notes, _silos, _money = cluster
    assert facilitator_client.get(_url(workshop, path)).status_code == 405
    assert facilitator_client.put(_url(workshop, path)).status_code == 405


def test_the_suggestions_are_read_only_and_for_the_facilitator(
    client, facilitator_client, cluster, other_facilitator
):
    workshop, _notes, _silos, _money = cluster
    url = _url(workshop, "suggestions/")
    assert facilitator_client.post(url).status_code == 405
    assert Client().get(url).status_code == 302  # to the login page
    client.force_login(other_facilitator)
    assert client.get(url, **FRAGMENT).status_code == 404


def test_the_wall_has_no_select_per_card(facilitator_client, cluster):
    workshop, notes, _silos, _money = cluster
    html = facilitator_client.get(_url(workshop, "board/")).content.decode()
    cards = html[html.index('id="wall-cards"') : html.index("</ul>", html.index('id="wall-cards"'))]
    assert cards.count('class="cluster-note wall-card') == len(notes)
    assert "<select" not in cards and "<form" not in cards
    assert html.count('id="wall-move-theme"') == 1 and html.count('id="wall-move-dialog"') == 1


def test_selected_notes_are_marked_as_duplicates_of_the_first(facilitator_client, cluster):
    workshop, notes, silos, _money = cluster
    themes.notes_move(workshop=workshop, note_ids=[notes[4].pk], theme=silos)
    response = facilitator_client.post(
        _url(workshop, "notes/merge/"), {"note": [notes[4].pk, notes[5].pk]}, **FRAGMENT
    )
    assert response.status_code == 200
    assert "1 note marked as a duplicate." in response.content.decode()
    duplicate = Note.objects.get(pk=notes[5].pk)
    assert duplicate.merged_into_id == notes[4].pk and duplicate.theme_id == silos.pk
    card = wall.cards(workshop, [notes[4].pk])[0]
    assert [d.pk for d in card.dups] == [notes[5].pk]
    refused = in_language(facilitator_client, "sv").post(
        _url(workshop, "notes/merge/"),
        {"note": [notes[0].pk]},
        **FRAGMENT,
    )
    assert refused.status_code == 400
    assert "Välj minst två lappar" in refused.content.decode()
    client = facilitator_client
    assert client.get(_url(workshop, "notes/merge/")).status_code == 405


def test_suggestions_after_moves_are_narrowed_not_computed_again(cluster, monkeypatch):
    """Computing suggestions takes a second at 1,000 notes, and the wall asks after every
    pause in the moves: notes that went into a theme are taken out of the last ones."""
    from workshops import screens

    workshop, notes, _silos, money = cluster
    computed = []

    def counted(*args, **kwargs):
        computed.append(1)
        return screens.suggest_themes.__wrapped_real__(*args, **kwargs)

    counted.__wrapped_real__ = screens.suggest_themes
    monkeypatch.setattr(screens, "suggest_themes", counted)
    first = screens.wall_suggestions(workshop)
    silos = next(s for s in first if notes[0].pk in s["note_ids"])
    assert len(silos["note_ids"]) >= 3 and computed == [1]
    themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=money)
    after = screens.wall_suggestions(workshop)
    assert computed == [1]  # narrowed
    narrowed = next(s for s in after if s["label"] == silos["label"])
    assert narrowed["note_ids"] == tuple(pk for pk in silos["note_ids"] if pk != notes[0].pk)
    # Back where it was: the first ones, as they were kept.
    themes.notes_move(workshop=workshop, note_ids=[notes[0].pk], theme=None)
    assert screens.wall_suggestions(workshop) == first and computed == [1]
    # A note edited (or a new one) makes them computed again.
    Note.objects.filter(pk=notes[5].pk).update(text="Finansiering saknas helt")
    screens.wall_suggestions(workshop)
    assert computed == [1, 1]
