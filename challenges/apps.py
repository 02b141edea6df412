from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "challenges"
    verbose_name = _("Challenges")

    def ready(self) -> None:
        # Connects `labb_fold` to every new SQLite connection (challenges.search).
        from challenges import search  # noqa: F401
