import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labb.settings")

django_application = get_asgi_application()

from labb.admission import with_admission_control  # noqa: E402 - needs the settings loaded

# Admission control in front of Django: a process runs a bounded number of ordinary
# requests at once and answers 429 + Retry-After beyond a short wait (labb/admission.py).
application = with_admission_control(django_application)
