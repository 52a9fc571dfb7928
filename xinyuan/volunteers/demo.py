"""Demo volunteers: the three standard courses per hotline and applications at several stages.

The demo hotline requires the three courses and a verified credential, but only of volunteers who
joined through an application, so the demo's hand-made people can still go on duty.
"""

from __future__ import annotations

from django.db import transaction

from xinyuan.core.models import Hotline, User
from xinyuan.volunteers import actions
from xinyuan.volunteers.models import Course, Stage

# name, gender, birth year, education, profession, certificate (kind, number) or None, stages to walk
APPLICANTS = (
    (
        "吴晓 Wu Xiao",
        "female",
        1994,
        "master",
        "counsellor",
        ("心理咨询师二级 Counsellor level 2", "2019-11-0421"),
        (),
    ),
    (
        "郑凯 Zheng Kai",
        "male",
        1988,
        "bachelor",
        "social_worker",
        ("社会工作师 Social worker", "SW-2020-3371"),
        (Stage.SCREENING,),
    ),
    ("冯雪 Feng Xue", "female", 2001, "bachelor", "student", None, (Stage.SCREENING, Stage.INTERVIEW)),
    (
        "何平 He Ping",
        "male",
        1979,
        "doctorate",
        "psychiatrist",
        ("执业医师 Licensed physician", "110101197905"),
        (Stage.SCREENING, Stage.INTERVIEW, Stage.TRAINING),
    ),
    ("许宁 Xu Ning", "other", 1999, "associate", "other", None, (Stage.REJECTED,)),
)


@transaction.atomic
def load(hotlines: dict[str, Hotline]) -> None:
    coordinator = User.objects.get(username="coordinator")
    for hotline in hotlines.values():
        actions.ensure_courses(hotline)
    demo = hotlines["demo"]
    actions.do_set_requirements(
        coordinator,
        demo,
        verified_credential=True,
        courses=Course.objects.filter(hotline=demo),
        only_applicants=True,
    )
    for index, (name, gender, year, education, profession, certificate, stages) in enumerate(APPLICANTS):
        application = actions.do_submit_application(
            demo,
            {
                "name": name,
                "gender": gender,
                "birth_year": year,
                "education": education,
                "profession": profession,
                "experience": "三年高校心理中心值班 Three years on a campus counselling rota."
                if certificate
                else "",
                "languages": ["zh-hans", "en"] if index % 2 else ["zh-hans"],
                "specialties": ["student", "family"] if index % 2 else ["grief"],
                "availability": "周末及工作日晚上 Weekends and weekday evenings",
                "email": f"applicant{index + 1}@example.org",
                "phone": f"+86 138 0000 {1000 + index}",
            },
            credential=certificate,
            language="zh-hans",
        )
        for stage in stages:
            actions.do_move_application(coordinator, application, stage, "示范备注 Demo note")
