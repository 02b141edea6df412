import pytest
from django.utils import translation

from .factories import make_workshop


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def board():
    """The 20-group, 300-note board, built once: snapshots are frozen."""
    return make_workshop()


@pytest.fixture(scope="session")
def small_board():
    return make_workshop(groups=2, notes_per_group=8)
