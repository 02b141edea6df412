from django.contrib import admin

from accounts.models import ExternalIdentity, IdentityProvider, MappingRule


class MappingRuleInline(admin.TabularInline):
    model = MappingRule
    extra = 1


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "protocol", "enabled"]
    list_filter = ["protocol", "enabled"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MappingRuleInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "protocol", "enabled"]}),
        ("OpenID Connect", {"fields": ["discovery_url", "client_id", "client_secret", "scopes"]}),
        ("SAML 2.0", {"fields": ["saml_metadata_url", "saml_metadata_xml"]}),
        (None, {"fields": ["email_claim", "groups_claim"]}),
    ]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "first_seen", "last_seen"]
    search_fields = ["user__username", "user__email", "subject"]
    readonly_fields = ["user", "provider", "subject", "first_seen", "last_seen"]
