"""Who may do what: deny by default, everything scoped to a hotline the user belongs to.

Every staff view goes through `hotline_view`; a hotline the user does not belong to does not
exist for them (404), a role they lack is refused (403), and both are audit-logged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, cast

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from xinyuan.core import audit
from xinyuan.core.models import Membership, User

P = ParamSpec("P")


def needs_two_factor(user: User) -> bool:
    """Must this user confirm sign-in with a one-time code?"""
    if user.is_superuser:
        return True
    from django_otp import user_has_device

    if user_has_device(user, confirmed=True):
        return True
    for membership in user.memberships.filter(is_active=True).select_related("hotline"):
        if membership.roles.intersection(membership.hotline.two_factor_roles):
            return True
    return False


def two_factor_required(membership: Membership) -> bool:
    """Does the hotline ask a one-time code of one of this member's roles?"""
    return bool(membership.roles.intersection(membership.hotline.two_factor_roles))


def two_factor_missing(request: HttpRequest, membership: Membership) -> bool:
    return two_factor_required(membership) and not request.user.is_verified()  # type: ignore[union-attr]


def membership_for(request: HttpRequest, hotline_slug: str, roles: tuple[str, ...] = ()) -> Membership:
    """The caller's membership of the hotline, or 404 / 403 (audited)."""
    user = cast(User, request.user)
    membership = (
        Membership.objects.select_related("hotline")
        .filter(user_id=user.pk, hotline__slug=hotline_slug, is_active=True)
        .first()
    )
    if membership is None:
        audit.log(
            audit.Action.ACCESS_DENIED, actor=user, request=request, path=request.path, why="not a member"
        )
        raise Http404
    if roles and not membership.has_role(*roles):
        audit.log(
            audit.Action.ACCESS_DENIED,
            actor=user,
            hotline=membership.hotline,
            request=request,
            path=request.path,
            why="missing role",
        )
        raise PermissionDenied
    return membership


def hotline_view(
    *roles: str,
) -> Callable[[Callable[Concatenate[HttpRequest, Membership, P], HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view taking `(request, membership, …)`; its URL carries `hotline_slug`.

    With `roles`, the member needs at least one of them.
    """

    def decorate(
        view: Callable[Concatenate[HttpRequest, Membership, P], HttpResponse],
    ) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, hotline_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request, hotline_slug, roles)
            if two_factor_missing(request, membership):
                # The hotline started asking for a code after this session began: sign in again.
                logout(request)
                return redirect_to_login(request.get_full_path())
            return view(request, membership, *args, **kwargs)

        wrapped.hotline_scoped = True  # type: ignore[attr-defined]
        return wrapped

    return decorate
