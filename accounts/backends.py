from django.contrib.auth.backends import ModelBackend


class ExternalIdentityBackend(ModelBackend):
    """Holds the sessions of people signed in through an identity provider (the views call
    `login(request, user, backend=…)` after verifying the provider's answer). It never
    checks a password, so switching password sign-in off (LABB_PASSWORD_LOGIN=0, which
    drops ModelBackend) leaves these sessions and the admin's permissions working."""

    def authenticate(self, request, **credentials):
        return None
