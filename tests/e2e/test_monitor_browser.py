"""A supervisor's live monitor updates by itself when a seeker arrives; the supervisor opens the
conversation silently and whispers: the counsellor sees the whisper, the seeker never does."""

from __future__ import annotations

from typing import Any

from django_otp.oath import totp
from playwright.sync_api import expect

from xinyuan.core import demo

WHISPER = "Ask whether someone is with her tonight"


def english_page(new_page: Any, server_url: str, **options: Any) -> Any:
    page = new_page(**options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": server_url}])
    return page


def sign_in(page: Any, server_url: str, username: str, code: bool = False) -> None:
    page.goto(f"{server_url}/signin/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(demo.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code:
        page.get_by_label("One-time code").fill(f"{totp(bytes.fromhex(demo.TOTP_KEY)):06d}")
        page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{server_url}/staff/demo/")


def test_the_monitor_is_live_and_a_whisper_reaches_only_the_counsellor(
    server_url: str, new_page: Any
) -> None:
    demo.load()
    counsellor = english_page(new_page, server_url)
    supervisor = english_page(new_page, server_url, viewport={"width": 390, "height": 844})  # a phone
    seeker = english_page(new_page, server_url)
    sign_in(counsellor, server_url, "counsellor")
    counsellor.goto(f"{server_url}/staff/demo/console/")
    counsellor.get_by_role("button", name="On duty").click()
    expect(counsellor.get_by_test_id("my-status")).to_have_text("on duty")

    sign_in(supervisor, server_url, "supervisor", code=True)
    supervisor.get_by_role("link", name="Live monitor").click()
    expect(supervisor.get_by_role("heading", name="Live monitor")).to_be_visible()
    expect(supervisor.get_by_test_id("no-active")).to_be_visible()
    on_duty = supervisor.get_by_test_id("counsellors-on_duty")
    expect(on_duty).to_contain_text("Li (counsellor)")

    # A seeker arrives: the board shows the contact without a reload.
    seeker.goto(f"{server_url}/h/demo/")
    seeker.locator("#consent-check").check()
    seeker.locator("#sensitive-check").check()
    seeker.locator("#consent-continue").click()
    seeker.get_by_role("button", name="Start the chat").click()
    row = supervisor.get_by_test_id("active-contact")
    expect(row).to_be_visible()
    counsellor.get_by_test_id("offer").get_by_role("button", name="Accept").click()
    expect(seeker.locator("#transcript")).to_contain_text("Li (counsellor)")
    seeker.locator("#composer-text").fill("I can't stop crying tonight")
    seeker.locator("#composer-text").press("Enter")
    expect(seeker.locator("#transcript .from-seeker")).to_contain_text("I can't stop crying tonight")
    expect(seeker.locator("#transcript .pending")).to_have_count(0)  # stored on the server

    # Silent monitoring: the conversation so far, then live.
    row.get_by_role("link", name="Open").click()
    expect(supervisor.get_by_role("heading", name="Silent monitoring")).to_be_visible()
    transcript = supervisor.get_by_test_id("watch-transcript")
    expect(transcript).to_contain_text("I can't stop crying tonight")
    supervisor.locator("#whisper-text").fill(WHISPER)
    supervisor.get_by_role("button", name="Whisper", exact=True).click()
    expect(transcript.locator(".whisper")).to_contain_text(WHISPER)

    panel = counsellor.locator(".panel:not([hidden])")
    whisper = panel.locator(".transcript .whisper")
    expect(whisper).to_contain_text(WHISPER)
    expect(whisper.locator(".who")).to_have_text("Whisper from a supervisor")

    panel.locator(".composer textarea").fill("I'm here with you")
    panel.get_by_role("button", name="Send").click()
    expect(seeker.locator("#transcript")).to_contain_text("I'm here with you")
    expect(transcript).to_contain_text("I'm here with you")  # the monitor follows live
    expect(seeker.locator("#transcript")).not_to_contain_text(WHISPER)
    seeker.reload()  # a reload replays the whole conversation: still no whisper
    expect(seeker.locator("#transcript")).to_contain_text("I'm here with you")
    expect(seeker.locator("#transcript")).not_to_contain_text(WHISPER)
