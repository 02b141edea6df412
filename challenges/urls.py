from django.urls import path

from challenges import archive_views, views

urlpatterns = [
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/new/", views.challenge_create, name="challenge_create"),
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<int:pk>/edit/", views.challenge_edit, name="challenge_edit"),
    path("challenges/<int:pk>/status/", views.challenge_status, name="challenge_status"),
    path("challenges/<int:pk>/learnings/", views.learning_add, name="learning_add"),
    path(
        "challenges/<int:pk>/next-steps/<int:item_pk>/toggle/",
        views.next_step_toggle,
        name="next_step_toggle",
    ),
    path("archive/", archive_views.archive_list, name="archive"),
    path("archive/search/", archive_views.archive_search, name="archive_search"),
    path("archive/recurring/", archive_views.archive_recurring, name="archive_recurring"),
    path("archive/workshops/<int:pk>/", archive_views.archive_workshop, name="archive_workshop"),
]
