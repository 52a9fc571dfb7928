"""A seeker writes an imminent message: the counsellor's console shows the alert with its evidence,
a supervisor takes the crisis from the crisis board and records what was done."""

from __future__ import annotations

from typing import Any

from django_otp.oath import totp
from playwright.sync_api import expect

from xinyuan.core import demo
from xinyuan.risk.models import Escalation, EscalationState, StepKind


def sign_in(page: Any, server_url: str, username: str, code: bool = False) -> None:
    page.goto(f"{server_url}/signin/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(demo.PASSWORD)
    page.get_by_role("button", name="登录").click()
    if code:
        page.get_by_label("一次性验证码").fill(f"{totp(bytes.fromhex(demo.TOTP_KEY)):06d}")
        page.get_by_role("button", name="确认").click()
    expect(page).to_have_url(f"{server_url}/staff/demo/")


def test_an_imminent_message_reaches_a_supervisor_who_acts(server_url: str, new_page: Any) -> None:
    demo.load()
    counsellor, supervisor, seeker = new_page(), new_page(), new_page()
    sign_in(counsellor, server_url, "counsellor")
    counsellor.goto(f"{server_url}/staff/demo/console/")
    counsellor.get_by_role("button", name="在岗").click()
    expect(counsellor.get_by_test_id("my-status")).to_have_text("在岗")
    sign_in(supervisor, server_url, "supervisor", code=True)
    supervisor.goto(f"{server_url}/staff/demo/crisis/")
    expect(supervisor.get_by_test_id("no-escalations")).to_be_visible()

    seeker.goto(f"{server_url}/h/demo/")
    seeker.locator("#consent-check").check()
    seeker.locator("#sensitive-check").check()
    seeker.locator("#consent-continue").click()
    seeker.get_by_role("button", name="开始聊天").click()
    counsellor.get_by_test_id("offer").get_by_role("button", name="接入").click()
    expect(seeker.locator("#transcript")).to_contain_text("已接入")
    seeker.locator("#composer-text").fill("我吃了一整瓶安眠药，现在很困")
    seeker.locator("#composer-text").press("Enter")

    panel = counsellor.locator(".panel:not([hidden])")
    expect(panel.locator(".crisis-banner")).to_contain_text("已发起危机干预")
    expect(panel.locator(".risk-evidence mark")).to_have_text("吃了一整瓶安眠药")
    expect(panel.locator(".panel-head .risk-badge")).to_have_text("紧急")

    escalation_card = supervisor.get_by_test_id("escalation")
    expect(escalation_card).to_be_visible(timeout=10000)  # the board refreshes itself
    escalation_card.get_by_role("button", name="我来处理").click()
    expect(supervisor.get_by_test_id("escalation-state")).to_have_text("处理中")
    expect(panel.locator(".crisis-banner")).to_contain_text("正在处理")

    supervisor.locator("#id_kind").select_option(StepKind.CALLED_120)
    supervisor.get_by_role("button", name="记录").click()
    supervisor.locator("#id_kind").select_option(StepKind.TEAM_DISPATCHED)
    supervisor.locator("#id_team").fill("浦东一组")
    supervisor.locator("#id_address").fill("幸福路 88 弄 3 号 402")
    supervisor.get_by_role("button", name="记录").click()
    steps = supervisor.get_by_test_id("steps")
    expect(steps).to_contain_text("已呼叫急救（120）")
    expect(steps).to_contain_text("浦东一组")

    # The supervisor joins the conversation from the crisis page and writes to the seeker.
    supervisor.get_by_role("button", name="加入对话").click()
    expect(seeker.locator("#transcript")).to_contain_text("督导（张督导 Zhang (supervisor)）已加入对话")
    joined = supervisor.locator(".panel:not([hidden])")
    joined.locator(".composer textarea").fill("我是值班督导，我们已经请 120 过去了，请把门打开")
    joined.get_by_role("button", name="发送").click()
    expect(seeker.locator("#transcript .from-supervisor")).to_contain_text("请把门打开")
    expect(panel.locator(".transcript")).to_contain_text("请把门打开")

    escalation = Escalation.objects.get()
    assert escalation.state == EscalationState.ACKNOWLEDGED
    assert escalation.acknowledged_by is not None and escalation.acknowledged_by.username == "supervisor"
    assert [step.kind for step in escalation.steps.all()] == [
        StepKind.ACKNOWLEDGED,
        StepKind.CALLED_120,
        StepKind.TEAM_DISPATCHED,
    ]
