"""Factories and personas: the people every test can sign in as."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client

from xinyuan.core import actions
from xinyuan.core.models import Hotline, User

PASSWORD = "persona-password-2026"


def english(client: Client) -> Client:
    """The client sees the English UI (tests assert English text; Chinese is the default)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@cache
def _hashed_password() -> str:
    # Argon2 is slow on purpose; hash the shared test password once.
    return make_password(PASSWORD)


class HotlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hotline
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"line-{n}")
    name = factory.Sequence(lambda n: f"热线 {n}")
    time_zone = "Asia/Shanghai"
    languages = factory.LazyFunction(lambda: ["zh-hans", "en"])
    always_open = True
    two_factor_roles = factory.LazyFunction(list)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    password = factory.LazyFunction(_hashed_password)


def hotline(**fields: Any) -> Hotline:
    return cast(Hotline, HotlineFactory(**fields))


def person(line: Hotline, username: str, *roles: str, **fields: Any) -> User:
    """A user of `line` with `roles`, whose password is PASSWORD."""
    user = cast(User, UserFactory(username=username, **fields))
    actions.do_set_roles(line, user, roles)
    return user
