from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def identity_providers_check(app_configs, **kwargs):
    from accounts.providers import from_environment

    try:
        from_environment()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="accounts.E001")]
    return []
