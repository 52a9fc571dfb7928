"""Deny by default: another hotline's pages do not exist for you; missing roles are refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import Personas
from xinyuan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


SAMPLE_VALUES = {"uuid": "7d4b2a9e-3f1c-4c55-9a6e-0f8e2b1c9d00", "int": "1", "slug": "x", "str": "x"}


def hotline_url_names() -> list[str]:
    """Every named route whose pattern carries a hotline slug."""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[URLPattern]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern

    names = [
        p.name for p in walk(get_resolver().url_patterns) if p.name and "hotline_slug" in p.pattern.converters
    ]
    assert names, "no hotline-scoped routes found"
    return sorted(set(names))


def url_for(name: str, slug: str) -> tuple[str, bool]:
    """The route's URL in hotline `slug` (other parameters sampled), and whether it has others."""
    pattern = next(p for p in get_resolver().reverse_dict.getlist(name))
    params = pattern[0][0][1]
    kwargs = {"hotline_slug": slug}
    for param in params:
        if param != "hotline_slug":
            converter = get_resolver().reverse_dict.getlist(name)[0][3].get(param)
            kwargs[param] = SAMPLE_VALUES.get(type(converter).__name__.replace("Converter", "").lower(), "x")
    return reverse(name, kwargs=kwargs), len(params) > 1


@pytest.mark.parametrize("name", hotline_url_names())
def test_every_hotline_page_is_404_for_a_member_of_another_hotline(personas: Personas, name: str) -> None:
    outsider = personas.client_for(personas.outsider)
    url, has_other_params = url_for(name, "line-a")
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {}).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=personas.outsider).count() == 2
    if not has_other_params:  # and the page does exist for the outsider's own hotline (405: POST only)
        assert outsider.get(url_for(name, "line-b")[0]).status_code in (200, 405)


@pytest.mark.parametrize("name", hotline_url_names())
def test_every_hotline_page_asks_anonymous_visitors_to_sign_in(personas: Personas, name: str) -> None:
    response = Client().get(url_for(name, "line-a")[0])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("signin"))


def test_an_unknown_hotline_is_404_too(personas: Personas) -> None:
    client = personas.client_for(personas.coordinator)
    assert client.get(reverse("staff-home", args=["no-such-line"])).status_code == 404


def test_a_counsellor_may_not_change_settings(personas: Personas) -> None:
    client = personas.client_for(personas.counsellor)
    response = client.get(reverse("hotline-settings", args=["line-a"]))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access.denied")
    assert event.hotline == personas.hotline_a
    assert event.details["why"] == "missing role"


def test_staff_home_shows_the_places_of_each_role(personas: Personas) -> None:
    counsellor_page = personas.client_for(personas.counsellor).get(reverse("staff-home", args=["line-a"]))
    coordinator_page = personas.client_for(personas.coordinator).get(reverse("staff-home", args=["line-a"]))
    assert b'data-place="console"' in counsellor_page.content
    assert b'data-place="settings"' not in counsellor_page.content
    assert b'data-place="settings"' in coordinator_page.content
    assert b'data-place="console"' not in coordinator_page.content


def test_django_admin_is_for_verified_superusers_only(personas: Personas) -> None:
    personas.coordinator.is_staff = True
    personas.coordinator.save()
    response = personas.client_for(personas.coordinator).get("/admin/", follow=True)
    assert response.status_code == 403
    # A superuser who has not confirmed a one-time code is sent to sign in too.
    personas.coordinator.is_superuser = True
    personas.coordinator.save()
    response = personas.client_for(personas.coordinator).get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("signin"))
