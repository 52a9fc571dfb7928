"""A seeker and a counsellor, two people in two browsers: intake, offer, accept, conversation,
a dropped connection, nothing lost, end, wrap-up; the quick exit; the after-hours page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from xinyuan.contacts.models import Contact, Message, State
from xinyuan.core import demo
from xinyuan.core.models import Hotline


def sign_in(page: Any, server_url: str, username: str) -> None:
    page.goto(f"{server_url}/signin/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{server_url}/staff/demo/")


def open_chat(seeker: Any, server_url: str, text: str, source: str = "", queued: bool = True) -> None:
    seeker.goto(f"{server_url}/h/demo/" + (f"?source={source}" if source else ""))
    expect(seeker.get_by_test_id("line-open")).to_be_visible()
    if queued:  # nobody on duty: the page says so and offers to wait or leave a message
        expect(seeker.locator("#step-closed")).to_contain_text("咨询师都在忙")
        seeker.get_by_role("button", name="继续等待咨询师").click()
    seeker.locator("#consent-check").check()
    seeker.locator("#sensitive-check").check()
    seeker.locator("#consent-continue").click()
    seeker.locator("#q-about").select_option("self")
    seeker.locator("#q-population").select_option("student")
    seeker.locator("#q-what_is_happening").fill(text)
    seeker.get_by_role("button", name="开始聊天").click()
    expect(seeker.locator("#queue-status")).to_contain_text("第 1 位" if queued else "正在为你接通咨询师")


def test_a_seeker_reaches_a_counsellor_and_nothing_is_lost(server_url: str, new_page: Any) -> None:
    demo.load()
    counsellor = new_page()
    seeker = new_page(viewport={"width": 375, "height": 740})
    # The seeker's WebSocket goes through a switch the test can open, like a phone losing signal.
    network: dict[str, Any] = {"up": True, "sockets": []}

    def through_switch(route: Any) -> None:
        if not network["up"]:
            route.close()
            return
        network["sockets"].append((route, route.connect_to_server()))

    seeker.route_web_socket(re.compile(r".*/ws/seeker/$"), through_switch)
    sign_in(counsellor, server_url, "counsellor")
    counsellor.goto(f"{server_url}/staff/demo/console/")
    counsellor.get_by_role("button", name="在岗").click()
    expect(counsellor.get_by_test_id("my-status")).to_have_text("在岗")

    open_chat(seeker, server_url, "最近考试压力很大，睡不着", source="wechat-partner", queued=False)
    offer = counsellor.get_by_test_id("offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("最近考试压力很大，睡不着")
    expect(offer).to_contain_text("学生")
    offer.get_by_role("button", name="接入").click()
    expect(seeker.locator("#transcript")).to_contain_text("已接入")

    seeker.locator("#composer-text").fill("你好，我想找人聊聊")
    seeker.locator("#composer-text").press("Enter")
    panel = counsellor.locator(".panel:not([hidden])")
    expect(panel.locator(".transcript")).to_contain_text("你好，我想找人聊聊")
    panel.locator(".composer textarea").fill("你好，我在这里听你说")
    expect(seeker.locator("#typing")).to_be_visible()
    panel.get_by_role("button", name="发送").click()
    expect(seeker.locator("#transcript")).to_contain_text("你好，我在这里听你说")

    # The seeker's connection drops; the counsellor keeps writing; it all arrives after.
    network["up"] = False
    for page_side, server_side in network["sockets"]:
        server_side.close()
        page_side.close()
    expect(seeker.locator("#connection")).to_be_visible()
    panel.locator(".composer textarea").fill("你还在吗？")
    panel.get_by_role("button", name="发送").click()
    seeker.locator("#composer-text").fill("网络断了一下")
    seeker.locator("#composer-text").press("Enter")
    expect(panel.locator(".transcript")).to_contain_text("你还在吗？")
    network["up"] = True
    expect(seeker.locator("#connection")).to_be_hidden(timeout=20000)
    expect(seeker.locator("#transcript")).to_contain_text("你还在吗？")
    expect(panel.locator(".transcript")).to_contain_text("网络断了一下")

    # Closing the tab and coming back resumes the same conversation, every message once.
    seeker.reload()
    expect(seeker.locator("#transcript")).to_contain_text("你还在吗？")
    expect(seeker.locator("#transcript .message", has_text="网络断了一下")).to_have_count(1)
    contact = Contact.objects.get()
    assert contact.source == "wechat-partner"
    bodies = [m.body for m in Message.objects.filter(contact=contact, sender__in=["seeker", "counsellor"])]
    assert bodies == ["你好，我想找人聊聊", "你好，我在这里听你说", "你还在吗？", "网络断了一下"]

    counsellor.on("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="结束来访").click()
    expect(seeker.locator("#step-ended")).to_be_visible()
    wrap_up = panel.locator("form.wrap-up")
    expect(wrap_up).to_be_visible()
    expect(wrap_up.locator("select[name=population]")).to_have_value("student")  # from the intake
    wrap_up.locator("select[name=call_type]").select_option("counselling")
    wrap_up.get_by_role("button", name="保存记录").click()
    expect(wrap_up.locator("[data-field=categories] .field-error")).to_contain_text("至少选择一个问题")
    expect(wrap_up.locator("[data-field=summary] .field-error")).to_be_visible()
    wrap_up.get_by_label("学业与考试压力").check()
    wrap_up.get_by_label("倾听与情绪支持").check()
    wrap_up.locator("textarea[name=summary]").fill("考试焦虑，倾听与情绪支持，约定下周再来")
    wrap_up.get_by_role("button", name="保存记录").click()
    expect(counsellor.locator("#no-contacts")).to_be_visible()
    contact.refresh_from_db()
    assert contact.state == State.CLOSED
    record = contact.record
    assert record.summary == "考试焦虑，倾听与情绪支持，约定下周再来"
    assert [c.key for c in record.categories.all()] == ["study_stress"]
    assert record.interventions == ["listening"] and record.final_risk_level == "none"
    assert contact.answered_at and contact.first_response_at and contact.ended_at and contact.wrapped_up_at


def test_quick_exit_leaves_at_once_and_clears_the_chat(server_url: str, new_page: Any) -> None:
    demo.load()
    Hotline.objects.filter(slug="demo").update(quick_exit_url="https://weather.example/")
    seeker = new_page()
    seeker.route(
        "https://weather.example/**",
        lambda route: route.fulfill(body="<h1>Weather</h1>", content_type="text/html"),
    )
    open_chat(seeker, server_url, "我现在不方便")
    seeker.get_by_role("button", name="快速离开").click()
    expect(seeker).to_have_url("https://weather.example/")
    seeker.goto(f"{server_url}/h/demo/")
    assert seeker.evaluate("Object.keys(window.localStorage).length") == 0
    # Coming back starts afresh: no conversation, nothing of it on the page.
    expect(seeker.locator("#step-closed")).to_be_visible()
    expect(seeker.locator("#step-chat")).to_be_hidden()
    expect(seeker.locator("#transcript .message")).to_have_count(0)
    contact = Contact.objects.get()
    assert contact.state == State.ABANDONED
    assert contact.ended_by == "quick_exit"


def test_after_hours_the_page_offers_resources_and_a_call_back(server_url: str, new_page: Any) -> None:
    demo.load()
    Hotline.objects.filter(slug="demo").update(always_open=False)  # no opening hours at all: closed
    seeker = new_page()
    seeker.goto(f"{server_url}/h/demo/")
    expect(seeker.get_by_test_id("line-closed")).to_be_visible()
    expect(seeker.locator(".after-hours")).to_contain_text("热线暂时关闭")
    expect(seeker.locator(".resource-list")).to_contain_text("120")
    expect(seeker.locator(".resource-list")).to_contain_text("12356")
    seeker.locator("#callback-text").fill("明天能给我回个电话吗")
    seeker.locator("#callback-phone").fill("13800000000")
    seeker.get_by_role("button", name="留言").click()
    expect(seeker.locator("#callback-form .form-error")).to_contain_text("敏感个人信息")  # consent first
    seeker.locator("#callback-consent").check()
    seeker.get_by_role("button", name="留言").click()
    expect(seeker.locator("#queue-status")).to_contain_text("留言已保存")
    contact = Contact.objects.get()
    assert contact.callback and contact.state == State.QUEUED
    assert contact.callback_phone == "13800000000"
