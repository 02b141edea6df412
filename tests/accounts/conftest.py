import pytest

from challenges.models import Organisation
from tests.support.identity import oidc_rules


@pytest.fixture
def region_x(db) -> Organisation:
    return Organisation.objects.create(name="Region X", slug="region-x")


@pytest.fixture
def oidc_configured(settings, oidc_idp, region_x):
    """Labb with the test provider in LABB_IDENTITY_PROVIDERS and Region X's two rules."""
    settings.LABB_IDENTITY_PROVIDERS = [oidc_idp.provider_config(rules=oidc_rules("region-x"))]
    return oidc_idp
