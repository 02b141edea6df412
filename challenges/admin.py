from django.contrib import admin

# Organisations and memberships are registered by `orgadmin/admin.py`: a change of
# membership there goes into the audit trail, which this app may not import.
from challenges.models import Challenge, LearningEntry, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["question", "organisation", "status", "visibility", "created_at"]
    list_filter = ["status", "visibility", "organisation"]
    search_fields = ["question", "description"]
    filter_horizontal = ["tags"]


@admin.register(LearningEntry)
class LearningEntryAdmin(admin.ModelAdmin):
    list_display = ["challenge", "created_at"]
