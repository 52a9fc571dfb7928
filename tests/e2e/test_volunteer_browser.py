"""From applicant to counsellor on duty, in browsers: the public form, screening, activation, the
e-mailed link, the required quiz, a shift sign-up, and the console that first refuses, then lets
them go on duty."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core import mail
from playwright.sync_api import expect

from xinyuan.core import demo
from xinyuan.core.models import Hotline, User
from xinyuan.volunteers import actions
from xinyuan.volunteers.models import Course

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256


def english_page(new_page: Any, server_url: str, **options: Any) -> Any:
    page = new_page(**options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": server_url}])
    return page


def sign_in(page: Any, server_url: str, username: str, password: str) -> None:
    page.goto(f"{server_url}/signin/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def move_to(page: Any, stage: str) -> None:
    page.get_by_label("Move to").select_option(label=stage)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("stage")).to_have_text(stage)


def test_an_applicant_becomes_a_counsellor_on_duty(
    server_url: str, new_page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo.load()
    hotline = Hotline.objects.get(slug="demo")
    actions.ensure_courses(hotline)
    platform = Course.objects.get(hotline=hotline, key="platform")
    actions.do_set_requirements(
        User.objects.get(username="coordinator"),
        hotline,
        verified_credential=True,
        courses=[platform],
        only_applicants=True,
    )

    # 1. The applicant, on a phone, fills in the public form.
    applicant = english_page(new_page, server_url, viewport={"width": 375, "height": 740})
    applicant.goto(f"{server_url}/h/demo/volunteer/")
    expect(
        applicant.get_by_role("heading", name="Volunteer with 心援示范热线 Xinyuan demo line")
    ).to_be_visible()
    applicant.locator("#id_name").fill("林一 Lin Yi")
    applicant.get_by_label("Gender").select_option("female")
    applicant.get_by_label("Year of birth").fill("1995")
    applicant.get_by_label("Education").select_option("master")
    applicant.get_by_label("Profession").select_option("counsellor")
    applicant.locator("#id_credential_kind").fill("心理咨询师二级 Counsellor level 2")
    applicant.get_by_label("Certificate number").fill("CN-2024-0001")
    applicant.get_by_label("Scan or photo of the certificate").set_input_files(
        {"name": "cert.png", "mimeType": "image/png", "buffer": PNG}
    )
    applicant.get_by_label("Mandarin Chinese").check()
    applicant.get_by_label("E-mail").fill("lin.yi@example.org")
    applicant.locator("#id_phone").fill("+86 139 1234 5678")
    applicant.get_by_role("button", name="Send my application").click()
    # Forgot the consent: a clear error, then it goes through.
    expect(applicant.get_by_test_id("form-errors")).to_be_visible()
    applicant.get_by_label("Scan or photo of the certificate").set_input_files(
        {"name": "cert.png", "mimeType": "image/png", "buffer": PNG}
    )
    applicant.locator("#id_consent").check()
    applicant.get_by_role("button", name="Send my application").click()
    expect(applicant.get_by_role("heading", name="Thank you. Your application is sent.")).to_be_visible()

    # 2. The coordinator screens, interviews, trains, verifies the certificate and activates.
    coordinator = english_page(new_page, server_url)
    sign_in(coordinator, server_url, "coordinator", demo.PASSWORD)
    expect(coordinator).to_have_url(f"{server_url}/staff/demo/")
    coordinator.get_by_role("link", name="Volunteers").click()
    coordinator.get_by_role("link", name="林一 Lin Yi").click()
    expect(coordinator.get_by_test_id("stage")).to_have_text("Submitted")
    move_to(coordinator, "Screening")
    move_to(coordinator, "Interview")
    move_to(coordinator, "Training")
    coordinator.get_by_role("button", name="Mark verified").click()
    expect(coordinator.get_by_test_id("credential")).to_contain_text("verified")
    move_to(coordinator, "Active")
    expect(coordinator.get_by_test_id("account")).to_have_text("lin.yi@example.org")

    # 3. The volunteer sets a password from the e-mailed link and signs in.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/volunteer/welcome/\S+/", str(mail.outbox[0].body))
    assert link is not None
    volunteer = english_page(new_page, server_url)
    volunteer.goto(link.group(0))
    password = "a-long-volunteer-passphrase"
    volunteer.locator("#id_new_password1").fill(password)
    volunteer.locator("#id_new_password2").fill(password)
    volunteer.get_by_role("button", name="Set password").click()
    sign_in(volunteer, server_url, "lin.yi@example.org", password)
    expect(volunteer).to_have_url(f"{server_url}/staff/demo/")

    # 4. The console refuses on-duty status and says why.
    volunteer.goto(f"{server_url}/staff/demo/console/")
    volunteer.get_by_role("button", name="On duty").click()
    expect(volunteer.get_by_test_id("console-error")).to_contain_text("Using the platform")
    expect(volunteer.get_by_test_id("my-status")).not_to_have_text("on duty")

    # 5. The required quiz, then on duty.
    volunteer.goto(f"{server_url}/staff/demo/")
    volunteer.get_by_role("link", name="My training").click()
    expect(volunteer.get_by_test_id("blockers")).to_contain_text("Using the platform")
    volunteer.get_by_role("link", name="平台使用 Using the platform").click()
    volunteer.get_by_label("填写记录 Write the contact record").check()
    volunteer.get_by_role("button", name="Submit my answers").click()
    expect(volunteer.get_by_text("Passed with 100%")).to_be_visible()
    expect(volunteer.get_by_test_id("ready")).to_be_visible()

    # 6. A day shift next week (the demo's day template has 60 seats; the 4-hour blocks are a team's).
    volunteer.goto(f"{server_url}/staff/demo/")
    volunteer.get_by_role("link", name="Shifts", exact=True).click()
    volunteer.get_by_role("link", name="Next week").click()
    sign_up = volunteer.get_by_role("button", name="Sign up")
    first = volunteer.get_by_test_id("shift").filter(has=sign_up).first
    first.get_by_role("button", name="Sign up").click()
    expect(volunteer.get_by_text("You are on this shift")).to_have_count(1)

    volunteer.goto(f"{server_url}/staff/demo/console/")
    volunteer.get_by_role("button", name="On duty").click()
    expect(volunteer.get_by_test_id("my-status")).to_have_text("on duty")
    expect(volunteer.get_by_test_id("console-error")).to_be_hidden()
