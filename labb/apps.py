from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class LabbConfig(AppConfig):
    name = "labb"
    verbose_name = "Labb"

    def ready(self) -> None:
        checks.register(accessibility_contact_check, checks.Tags.security, deploy=True)


def accessibility_contact_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A public authority's accessibility statement must say where to report barriers."""
    if settings.LABB_ACCESSIBILITY_CONTACT:
        return []
    return [
        checks.Warning(
            "LABB_ACCESSIBILITY_CONTACT is not set.",
            hint="Set it to the e-mail address or web page where people report accessibility "
            "barriers; the accessibility statement (/accessibility/) shows it.",
            id="labb.W001",
        )
    ]
