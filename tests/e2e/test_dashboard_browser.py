"""Reports in a browser: the dashboard draws its charts (no console errors under the strict CSP),
and a seeker answers the survey after their conversation ends."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from xinyuan.core import demo
from xinyuan.core.models import Hotline
from xinyuan.reports import history
from xinyuan.reports.models import SurveyResponse


def sign_in(page: Any, server_url: str, username: str) -> None:
    page.goto(f"{server_url}/signin/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{server_url}/staff/demo/")


def watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_dashboard_draws_its_charts(server_url: str, new_page: Any) -> None:
    demo.load()
    history.generate(Hotline.objects.get(slug="demo"), 14)
    page = new_page(viewport={"width": 1280, "height": 900})
    errors = watch_errors(page)
    sign_in(page, server_url, "coordinator")
    page.locator("[data-place=reports] a").click()
    expect(page.locator("#chart-by_hour canvas")).to_have_count(1)
    expect(page.locator("#chart-by_channel canvas")).to_have_count(1)
    expect(page.locator("#chart-ratings canvas")).to_have_count(1)
    # Every chart has its table: the figures are readable without the picture.
    expect(page.locator("[data-figure=by_hour] table tbody tr")).to_have_count(24)
    page.goto(f"{server_url}/staff/demo/reports/brief/")
    expect(page.locator("#chart-by_category canvas")).to_have_count(1)
    assert errors == []


def test_a_seeker_answers_the_survey_after_the_chat(server_url: str, new_page: Any) -> None:
    demo.load()
    counsellor = new_page()
    seeker = new_page(viewport={"width": 375, "height": 740})
    seeker.context.add_cookies([{"name": "django_language", "value": "en", "url": server_url}])
    errors = watch_errors(seeker)
    sign_in(counsellor, server_url, "counsellor")
    counsellor.goto(f"{server_url}/staff/demo/console/")
    counsellor.get_by_role("button", name="在岗").click()
    expect(counsellor.get_by_test_id("my-status")).to_have_text("在岗")

    seeker.goto(f"{server_url}/h/demo/")
    seeker.locator("#consent-check").check()
    seeker.locator("#sensitive-check").check()
    seeker.locator("#consent-continue").click()
    seeker.locator("#intake-form button[type=submit]").click()
    counsellor.get_by_test_id("offer").get_by_role("button", name="接入").click()
    expect(seeker.locator("#transcript .message")).not_to_have_count(0)
    expect(seeker.locator("#survey-form")).to_be_hidden()

    seeker.on("dialog", lambda dialog: dialog.accept())
    seeker.locator("#end-chat").click()
    survey = seeker.locator("#survey-form")
    expect(survey).to_be_visible()
    expect(survey).to_contain_text("How was this conversation for you?")
    survey.get_by_role("button", name="Send my answer").click()
    expect(survey.locator(".form-error")).to_contain_text("Please choose a rating")
    survey.get_by_label("4").check()
    survey.get_by_label("Yes").check()
    survey.get_by_label("better").check()
    survey.locator("#survey-comment").fill("It helped to talk")
    survey.get_by_role("button", name="Send my answer").click()
    expect(seeker.locator("#survey-thanks")).to_be_visible()
    expect(survey).to_be_hidden()
    answer = SurveyResponse.objects.get()
    assert (answer.rating, answer.helpful, answer.change, answer.comment, answer.language) == (
        4,
        True,
        "better",
        "It helped to talk",
        "en",
    )
    assert errors == []
