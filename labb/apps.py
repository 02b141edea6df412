from django.apps import AppConfig


class LabbConfig(AppConfig):
    name = "labb"
    verbose_name = "Labb"
