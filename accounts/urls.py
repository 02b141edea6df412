from django.urls import path

from accounts import views

urlpatterns = [
    path("admin/login/", views.admin_login, name="admin_login"),
    path("login/", views.LoginPage.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("signin/<slug:slug>/", views.sign_in_start, name="signin_start"),
    path("signin/<slug:slug>/callback/", views.oidc_callback, name="oidc_callback"),
    path("signin/<slug:slug>/saml/acs/", views.saml_acs, name="saml_acs"),
    path("signin/<slug:slug>/saml/metadata/", views.saml_metadata, name="saml_metadata"),
    path("signin/<slug:slug>/saml/sls/", views.saml_sls, name="saml_sls"),
]
