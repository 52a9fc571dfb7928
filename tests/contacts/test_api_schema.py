"""Schemathesis over the whole OpenAPI schema: whatever a client sends, never a server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from tests.conftest import Personas

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def hotline_and_clean_limits(personas: Personas) -> Personas:
    cache.clear()  # rate limits from earlier examples must not hide errors
    return personas


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db(transaction=True)
def test_no_input_causes_a_server_error(case: schemathesis.Case, hotline_and_clean_limits: Personas) -> None:
    if case.path_parameters and "slug" in case.path_parameters:
        case.path_parameters["slug"] = "line-a"  # a real hotline, so the bodies reach the application
    response = case.call()
    case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])
