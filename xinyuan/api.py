"""The HTTP API (django-ninja): OpenAPI schema at /api/openapi.json, documentation at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from xinyuan.contacts.api import router as contacts_router
from xinyuan.records.api import router as records_router
from xinyuan.reports.api import router as reports_router

api = NinjaAPI(title="xinyuan", version="1", urls_namespace="api")
api.add_router("/", contacts_router)
api.add_router("/", records_router)
api.add_router("/", reports_router)
