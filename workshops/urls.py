from django.urls import path

from workshops.views import exports, facilitator, participant, stream

urlpatterns = [
    # Facilitator
    path("challenges/<int:challenge_pk>/workshops/new/", facilitator.workshop_create, name="workshop_create"),
    path("workshops/<int:pk>/", facilitator.workshop_detail, name="workshop_detail"),
    path("workshops/<int:pk>/settings/", facilitator.workshop_settings, name="workshop_settings"),
    path("workshops/<int:pk>/board/", facilitator.workshop_board, name="workshop_board"),
    path("workshops/<int:pk>/projector/", facilitator.workshop_projector, name="workshop_projector"),
    path("workshops/<int:pk>/qr.svg", facilitator.workshop_qr, name="workshop_qr"),
    path("workshops/<int:pk>/stream/", stream.board_stream, name="board_stream"),
    path("workshops/<int:pk>/groups/add/", facilitator.group_add, name="group_add"),
    path("workshops/<int:pk>/groups/<int:group_pk>/rename/", facilitator.group_rename, name="group_rename"),
    path("workshops/<int:pk>/accepting/", facilitator.workshop_accepting, name="workshop_accepting"),
    path("workshops/<int:pk>/join-code/", facilitator.join_code_regenerate, name="join_code_regenerate"),
    path("workshops/<int:pk>/notes/bulk/", facilitator.notes_bulk_add, name="notes_bulk_add"),
    path("workshops/<int:pk>/notes/<int:note_pk>/edit/", facilitator.note_edit, name="note_edit"),
    path("workshops/<int:pk>/notes/<int:note_pk>/moderate/", facilitator.note_moderate, name="note_moderate"),
    # Exports
    path("workshops/<int:pk>/exports/", exports.workshop_export_create, name="workshop_export_create"),
    path("challenges/<int:pk>/exports/", exports.challenge_export_create, name="challenge_export_create"),
    path("exports/<int:pk>/", exports.export_status, name="export_status"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("exports/<int:pk>/retry/", exports.export_retry, name="export_retry"),
    path("import/", exports.archive_import, name="archive_import"),
    # Participants
    path("join/", participant.join, name="join"),
    path("j/<str:code>/", participant.join_workshop, name="join_workshop"),
    path("g/<str:token>/", participant.join_group, name="join_group"),
    path("p/<int:pk>/", participant.phone, name="phone"),
    path("p/<int:pk>/group/", participant.phone_choose_group, name="phone_choose_group"),
    path("p/<int:pk>/notes/", participant.phone_note_create, name="phone_note_create"),
    path("p/<int:pk>/notes/<int:note_pk>/edit/", participant.phone_note_edit, name="phone_note_edit"),
    path("p/<int:pk>/notes/<int:note_pk>/delete/", participant.phone_note_delete, name="phone_note_delete"),
    path("p/<int:pk>/stream/", stream.phone_stream, name="phone_stream"),
]
