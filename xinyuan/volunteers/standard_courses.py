"""The three courses every hotline starts with (data only; coordinators may change them after)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StandardCourse:
    key: str
    title: str
    summary: str
    materials: tuple[tuple[str, str, str], ...]  # title, text, link
    # question, answers, index of the right answer
    questions: tuple[tuple[str, tuple[str, ...], int], ...]


COURSES = (
    StandardCourse(
        key="ethics",
        title="伦理守则 Ethics code",
        summary="保密、知情同意、双重关系与转介。Confidentiality, consent, dual relationships, referral.",
        materials=(
            (
                "保密与例外 Confidentiality and its limits",
                "来访者的话只用于帮助来访者。唯一的例外是生命安全：有自伤、伤人风险或依法必须报告时，"
                "按热线的危机流程上报督导。\nWhat a seeker says is used only to help them. The one "
                "exception is safety: risk to their life or others', or a legal duty to report — then "
                "follow the hotline's crisis procedure and tell a supervisor.",
                "",
            ),
            (
                "中国心理学会临床与咨询心理学工作伦理守则 CPS ethics code",
                "阅读全文并在培训中讨论。Read the full code and discuss it in training.",
                "https://www.cpsbeijing.org/",
            ),
            (
                "界限 Boundaries",
                "不与来访者建立热线之外的联系：不交换微信、不见面、不借钱。\nNo contact outside the "
                "hotline: no WeChat, no meetings, no money.",
                "",
            ),
        ),
        questions=(
            (
                "来访者请你加微信以便以后联系，你应该？ A seeker asks to add you on WeChat. You:",
                (
                    "婉拒，并告诉他可以随时再打热线 Decline kindly; they can contact the line again any time",
                    "同意，方便跟进 Agree, it helps follow-up",
                    "给出私人电话 Give your personal number",
                ),
                0,
            ),
            (
                "什么情况下可以打破保密？ When may confidentiality be broken?",
                (
                    "来访者或他人有生命危险时 When someone's life is at risk",
                    "朋友问起时 When a friend asks",
                    "从不 Never",
                ),
                0,
            ),
        ),
    ),
    StandardCourse(
        key="crisis",
        title="危机干预 Crisis intervention",
        summary="评估自杀风险、安全计划、何时上报。Assessing suicide risk, safety plans, when to escalate.",
        materials=(
            (
                "直接询问自杀想法 Ask about suicide directly",
                "直接、平静地问：“你有没有想过结束自己的生命？”询问不会增加风险。\nAsk plainly and calmly: "
                "“Are you thinking about ending your life?” Asking does not raise the risk.",
                "",
            ),
            (
                "上报 Escalation",
                "有具体计划、手段或正在进行的行为时，立即在控制台上报危机，督导和危机小组会接手。\nA plan, "
                "the means, or an act in progress: raise a crisis in the console at once; supervisors "
                "and the crisis team take over.",
                "",
            ),
        ),
        questions=(
            (
                "来访者说已经吃下一整瓶药，你首先？ "
                "A seeker says they have taken a whole bottle of pills. First you:",
                (
                    "在控制台上报危机并确认位置 Raise a crisis in the console and confirm where they are",
                    "继续倾听，下班后再说 Keep listening and report after your shift",
                    "结束对话 End the conversation",
                ),
                0,
            ),
            (
                "直接询问自杀想法会增加风险吗？ Does asking directly about suicide raise the risk?",
                ("会 Yes", "不会 No"),
                1,
            ),
        ),
    ),
    StandardCourse(
        key="platform",
        title="平台使用 Using the platform",
        summary="上岗、接入、记录、求助督导。Going on duty, taking contacts, records, asking for help.",
        materials=(
            (
                "控制台 The console",
                "点“在岗”开始接收来访；来访会按风险排序分配。每次对话结束后填写记录。\nPress “On duty” to "
                "receive contacts; the most at-risk come first. Write the record after each conversation.",
                "",
            ),
        ),
        questions=(
            (
                "对话结束后要做什么？ What do you do after a conversation ends?",
                ("填写记录 Write the contact record", "什么也不做 Nothing", "截屏保存 Take screenshots"),
                0,
            ),
        ),
    ),
)
