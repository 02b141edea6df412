from django.urls import path

from workshops.views import exports, facilitator, participant, session, stream

urlpatterns = [
    # Facilitator
    path(
        "challenges/<int:challenge_pk>/workshops/new/",
        facilitator.workshop_create,
        name="workshop_create",
    ),
    path("workshops/<int:pk>/", facilitator.workshop_detail, name="workshop_detail"),
    path("workshops/<int:pk>/settings/", facilitator.workshop_settings, name="workshop_settings"),
    path("workshops/<int:pk>/board/", session.workshop_board, name="workshop_board"),
    path("workshops/<int:pk>/projector/", session.workshop_projector, name="workshop_projector"),
    path("workshops/<int:pk>/qr.svg", facilitator.workshop_qr, name="workshop_qr"),
    path("workshops/<int:pk>/stream/", stream.board_stream, name="board_stream"),
    path("workshops/<int:pk>/groups/add/", facilitator.group_add, name="group_add"),
    path(
        "workshops/<int:pk>/groups/<int:group_pk>/rename/",
        facilitator.group_rename,
        name="group_rename",
    ),
    path(
        "workshops/<int:pk>/accepting/", facilitator.workshop_accepting, name="workshop_accepting"
    ),
    path(
        "workshops/<int:pk>/join-code/",
        facilitator.join_code_regenerate,
        name="join_code_regenerate",
    ),
    path("workshops/<int:pk>/notes/bulk/", facilitator.notes_bulk_add, name="notes_bulk_add"),
    path("workshops/<int:pk>/notes/<int:note_pk>/edit/", facilitator.note_edit, name="note_edit"),
    path(
        "workshops/<int:pk>/notes/<int:note_pk>/moderate/",
        facilitator.note_moderate,
        name="note_moderate",
    ),
    # Exports
    path(
        "workshops/<int:pk>/exports/", exports.workshop_export_create, name="workshop_export_create"
    ),
    path(
        "challenges/<int:pk>/exports/",
        exports.challenge_export_create,
        name="challenge_export_create",
    ),
    path("exports/<int:pk>/", exports.export_status, name="export_status"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("exports/<int:pk>/retry/", exports.export_retry, name="export_retry"),
    path("import/", exports.archive_import, name="archive_import"),
    # Steering a live session
    path("workshops/<int:pk>/phase/", session.phase_set, name="phase_set"),
    path("workshops/<int:pk>/timer/", session.timer_control, name="timer_control"),
    path("workshops/<int:pk>/spotlight/", session.spotlight_set, name="spotlight_set"),
    path("workshops/<int:pk>/voting/", session.voting_settings, name="voting_settings"),
    path("workshops/<int:pk>/screening/", session.screening, name="screening"),
    path("workshops/<int:pk>/groups/<int:group_pk>/", session.group_view, name="group_view"),
    path("workshops/<int:pk>/groups/<int:group_pk>/qr.svg", session.group_qr, name="group_qr"),
    path(
        "workshops/<int:pk>/participants/<int:participant_pk>/move/",
        session.participant_move,
        name="participant_move",
    ),
    path("workshops/<int:pk>/themes/", session.theme_create, name="theme_create"),
    path("workshops/<int:pk>/suggestions/", session.wall_suggestions, name="wall_suggestions"),
    path(
        "workshops/<int:pk>/themes/<int:theme_pk>/rename/",
        session.theme_rename,
        name="theme_rename",
    ),
    path(
        "workshops/<int:pk>/themes/<int:theme_pk>/merge/", session.theme_merge, name="theme_merge"
    ),
    path(
        "workshops/<int:pk>/themes/<int:theme_pk>/dissolve/",
        session.theme_dissolve,
        name="theme_dissolve",
    ),
    path(
        "workshops/<int:pk>/suggestions/accept/",
        session.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        "workshops/<int:pk>/suggestions/reject/",
        session.suggestion_reject,
        name="suggestion_reject",
    ),
    path("workshops/<int:pk>/notes/<int:note_pk>/theme/", session.note_theme, name="note_theme"),
    path("workshops/<int:pk>/notes/move/", session.notes_move, name="notes_move"),
    path("workshops/<int:pk>/notes/merge/", session.notes_merge, name="notes_merge"),
    path("workshops/<int:pk>/moves/<int:move_pk>/undo/", session.move_undo, name="move_undo"),
    path(
        "workshops/<int:pk>/notes/<int:note_pk>/duplicate/",
        session.note_duplicate,
        name="note_duplicate",
    ),
    path("workshops/<int:pk>/actions/", session.action_item_create, name="action_item_create"),
    path(
        "workshops/<int:pk>/actions/<int:item_pk>/delete/",
        session.action_item_delete,
        name="action_item_delete",
    ),
    # Participants
    path("join/", participant.join, name="join"),
    path("j/<str:code>/", participant.join_workshop, name="join_workshop"),
    path("g/<str:token>/", participant.join_group, name="join_group"),
    path("p/<int:pk>/", participant.phone, name="phone"),
    path("p/<int:pk>/group/", participant.phone_choose_group, name="phone_choose_group"),
    path("p/<int:pk>/notes/", participant.phone_note_create, name="phone_note_create"),
    path(
        "p/<int:pk>/notes/<int:note_pk>/edit/", participant.phone_note_edit, name="phone_note_edit"
    ),
    path(
        "p/<int:pk>/notes/<int:note_pk>/delete/",
        participant.phone_note_delete,
        name="phone_note_delete",
    ),
    path("p/<int:pk>/votes/", participant.phone_vote, name="phone_vote"),
    path("p/<int:pk>/themes/", participant.phone_theme_create, name="phone_theme_create"),
    path(
        "p/<int:pk>/notes/<int:note_pk>/theme/",
        participant.phone_note_theme,
        name="phone_note_theme",
    ),
    path("p/<int:pk>/stream/", stream.phone_stream, name="phone_stream"),
]

# Paper workshops: every group's notes typed in on one page.
from workshops.views import paper  # noqa: E402

urlpatterns += [path("workshops/<int:pk>/paper/", paper.paper_entry, name="paper_entry")]
