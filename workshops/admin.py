from django.contrib import admin

from workshops.models import ActionItem, Column, DisposalLog, Export, Group, Note, Theme, Workshop


class ColumnInline(admin.TabularInline):
    model = Column
    extra = 0


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0
    exclude = ["token"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "challenge", "date", "phase", "kind"]
    list_filter = ["phase", "kind"]
    search_fields = ["title", "challenge__question"]
    exclude = ["join_code"]
    filter_horizontal = ["facilitators"]
    inlines = [ColumnInline, GroupInline]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["text", "workshop", "group", "column", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["text"]
    raw_id_fields = ["workshop", "group", "column", "participant", "theme", "merged_into"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "workshop"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "owner_name", "due_date", "status", "challenge"]
    list_filter = ["status"]


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["kind", "workshop", "challenge", "status", "attempts", "created_at"]
    list_filter = ["status", "kind"]


@admin.register(DisposalLog)
class DisposalLogAdmin(admin.ModelAdmin):
    list_display = ["workshop_title", "disposed_at", "notes_removed"]
