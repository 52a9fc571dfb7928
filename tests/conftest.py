"""Personas shared by the whole suite: people of hotline A, an outsider from hotline B, anonymous."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from tests.factories import PASSWORD, hotline, person
from xinyuan.core.models import Hotline, User
from xinyuan.core.roles import Role


@dataclass
class Personas:
    hotline_a: Hotline
    hotline_b: Hotline
    counsellor: User
    counsellor2: User
    supervisor: User
    coordinator: User
    outsider: User  # runs hotline B (every role there), nothing in A

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def personas(db: None) -> Personas:
    hotline_a = hotline(slug="line-a", name="甲热线 Line A")
    hotline_b = hotline(slug="line-b", name="乙热线 Line B")
    return Personas(
        hotline_a=hotline_a,
        hotline_b=hotline_b,
        counsellor=person(hotline_a, "counsellor-a", Role.COUNSELLOR),
        counsellor2=person(hotline_a, "counsellor2-a", Role.COUNSELLOR),
        supervisor=person(hotline_a, "supervisor-a", Role.SUPERVISOR),
        coordinator=person(hotline_a, "coordinator-a", Role.COORDINATOR),
        outsider=person(
            hotline_b, "coordinator-b", Role.COORDINATOR, Role.SUPERVISOR, Role.COUNSELLOR, Role.ADMIN
        ),
    )


@pytest.fixture
def password() -> str:
    return PASSWORD
