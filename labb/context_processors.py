from django.conf import settings


def labb(request):
    return {"LABB_DEBUG": settings.DEBUG}
