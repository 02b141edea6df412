from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    """Pages that read across workshops: the challenge pages, the archive, search and
    recurring themes. It has no models: it reads `challenges` and `workshops`, which never
    import it."""

    name = "archive"
    verbose_name = _("Archive")

    def ready(self) -> None:
        # Connects `labb_fold` to every new SQLite connection (archive.search).
        from archive import search  # noqa: F401
