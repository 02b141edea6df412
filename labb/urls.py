from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # accounts first: with passwords switched off, its /admin/login/ replaces the admin's.
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("labb.core_urls")),
    path("", include("archive.urls")),
    path("", include("workshops.urls")),
    path("", include("orgadmin.urls")),
]

# An outage raised outside a view is still a 503 (see labb.middleware).
handler500 = "labb.middleware.server_error"
