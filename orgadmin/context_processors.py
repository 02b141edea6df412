from challenges.access import organisations_administered_by


def organisation_admin(request):
    """`administers_organisations`: whether the menu links the organisation admin pages.
    A callable, so the query runs only on pages that show the menu."""
    user = getattr(request, "user", None)

    def administers() -> bool:
        return user is not None and organisations_administered_by(user).exists()

    return {"administers_organisations": administers}
