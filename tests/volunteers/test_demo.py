"""The volunteers' part of the demo loads on top of the core demo."""

from __future__ import annotations

import pytest

from xinyuan.contacts import actions as contact_actions
from xinyuan.contacts.models import Status
from xinyuan.core import demo
from xinyuan.core.models import Hotline, Membership
from xinyuan.volunteers import demo as volunteers_demo
from xinyuan.volunteers import queries
from xinyuan.volunteers.models import Application, Course, Stage

pytestmark = pytest.mark.django_db


def test_the_demo_has_courses_requirements_and_applications_in_several_stages() -> None:
    demo.load()
    if "volunteers" not in demo.DEMO_APPS:
        volunteers_demo.load({slug: Hotline.objects.get(slug=slug) for slug in ("demo", "campus")})
    line = Hotline.objects.get(slug="demo")
    assert Course.objects.filter(hotline=line).count() == 3
    assert Course.objects.filter(hotline__slug="campus").count() == 3
    stages = set(Application.objects.filter(hotline=line).values_list("stage", flat=True))
    assert {Stage.SUBMITTED, Stage.SCREENING, Stage.INTERVIEW, Stage.TRAINING, Stage.REJECTED} <= stages
    requirements = queries.requirements(line)
    assert requirements is not None and requirements.only_applicants and requirements.courses.count() == 3
    # The demo's own counsellor joined without an application and still goes on duty.
    counsellor = Membership.objects.get(user__username="counsellor", hotline=line)
    contact_actions.do_set_status(counsellor, Status.ON_DUTY)
