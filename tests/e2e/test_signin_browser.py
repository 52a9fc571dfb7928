"""A new user in a browser: sign in as the demo people, switch language, see the hotline."""

from __future__ import annotations

from typing import Any

from django_otp.oath import totp
from playwright.sync_api import expect

from xinyuan.core import demo


def sign_in(page: Any, server_url: str, username: str) -> None:
    page.goto(f"{server_url}/signin/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_demo_coordinator_signs_in_switches_language_and_sees_the_hotline(
    server_url: str, new_page: Any
) -> None:
    demo.load()
    page = new_page(viewport={"width": 390, "height": 844})  # a phone
    sign_in(page, server_url, "coordinator")
    expect(page).to_have_url(f"{server_url}/staff/demo/")
    expect(page.get_by_role("heading", name="心援示范热线")).to_be_visible()
    expect(page.get_by_text("热线设置")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Hotline settings")).to_be_visible()
    page.get_by_role("link", name="Hotline settings").click()
    expect(page.get_by_role("heading", name="Hotline settings")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("心援示范热线 Xinyuan demo line")


def test_demo_supervisor_signs_in_with_the_printed_one_time_code(server_url: str, new_page: Any) -> None:
    demo.load()
    page = new_page()
    sign_in(page, server_url, "supervisor")
    expect(page.get_by_role("heading", name="一次性验证码")).to_be_visible()
    code = f"{totp(bytes.fromhex(demo.TOTP_KEY)):06d}"
    page.get_by_label("一次性验证码").fill(code)
    page.get_by_role("button", name="确认").click()
    expect(page).to_have_url(f"{server_url}/staff/demo/")
    expect(page.get_by_text("督导", exact=True)).to_be_visible()
