from django.urls import path

from archive import challenge_views, views

urlpatterns = [
    path("challenges/", challenge_views.challenge_list, name="challenge_list"),
    path("challenges/new/", challenge_views.challenge_create, name="challenge_create"),
    path("challenges/<int:pk>/", challenge_views.challenge_detail, name="challenge_detail"),
    path("challenges/<int:pk>/edit/", challenge_views.challenge_edit, name="challenge_edit"),
    path("challenges/<int:pk>/status/", challenge_views.challenge_status, name="challenge_status"),
    path("challenges/<int:pk>/learnings/", challenge_views.learning_add, name="learning_add"),
    path(
        "challenges/<int:pk>/next-steps/<int:item_pk>/toggle/",
        challenge_views.next_step_toggle,
        name="next_step_toggle",
    ),
    path("archive/", views.archive_list, name="archive"),
    path("archive/search/", views.archive_search, name="archive_search"),
    path("archive/recurring/", views.archive_recurring, name="archive_recurring"),
    path("archive/workshops/<int:pk>/", views.archive_workshop, name="archive_workshop"),
]
