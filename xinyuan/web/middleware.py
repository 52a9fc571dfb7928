"""Middleware of the whole site: the chosen language, no caching, a JSON-only API, session lifetime.

Chinese first: the interface is zh-hans unless the person chose another language with the switcher.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's, but ignores the browser's Accept-Language: only an explicit choice counts."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreMiddleware:
    """Nothing the application answers may be kept by a browser or proxy cache (ASVS V8.1.1, V8.2.1).

    Staff pages, the seeker's page and the API all carry private data; static files are served by
    WhiteNoise before this runs and stay cacheable. A view that set its own Cache-Control keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


API_PREFIX = "/api/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The quick exit is sent as a beacon, which older WebViews only send as text/plain.
PLAIN_TEXT_PATHS = frozenset({"/api/contacts/quick-exit"})


class JsonApiMiddleware:
    """The API takes JSON bodies only: any other body is 415, before it is parsed (ASVS V13.1.5,
    V13.2.5). Its JSON answers are marked as downloads, so a browser never renders one as a page
    (V14.4.2). Django's size limit for request bodies applies when the body is read here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        response = self._refusal(request) or self.get_response(request)
        if response.get("Content-Type", "").startswith("application/json"):
            response.headers.setdefault("Content-Disposition", 'attachment; filename="api.json"')
        return response

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        if request.method not in UNSAFE_METHODS or not request.body:
            return None
        allowed = {"application/json"}
        if request.path in PLAIN_TEXT_PATHS:
            allowed.add("text/plain")
        if (request.content_type or "") in allowed:
            return None
        message = gettext("Send the request as JSON (Content-Type: application/json).")
        return JsonResponse({"code": "unsupported_media_type", "message": message}, status=415)


SIGNED_IN_AT = "signed_in_at"


class SessionLifetimeMiddleware:
    """However busy, a staff session ends after `SESSION_MAX_HOURS` (ASVS V3.3.2, level 2: 12 hours).

    The idle limit is `SESSION_COOKIE_AGE`; this is the absolute one. The clock starts at the first
    signed-in request (sign-in gives a fresh session, so no earlier value survives it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = float(request.session.setdefault(SIGNED_IN_AT, now))
            if now - started > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                messages.info(request, gettext("Your session reached its time limit. Please sign in again."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
