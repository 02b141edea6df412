from django.urls import path

from orgadmin import views

urlpatterns = [
    path("org/", views.organisation_list, name="orgadmin_list"),
    path("org/<slug:slug>/members/", views.members, name="orgadmin_members"),
    path("org/<slug:slug>/members/<int:pk>/role/", views.member_role, name="orgadmin_role"),
    path(
        "org/<slug:slug>/members/<int:pk>/remove/",
        views.member_remove,
        name="orgadmin_member_remove",
    ),
    path("org/<slug:slug>/defaults/", views.defaults, name="orgadmin_defaults"),
    path("org/<slug:slug>/audit/", views.audit_trail, name="orgadmin_audit"),
    path("org/<slug:slug>/audit.csv", views.audit_csv, name="orgadmin_audit_csv"),
]
