"""Admin for editing courses' materials and quizzes (superusers only, like all of the admin)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.db import models

from xinyuan.volunteers.models import Choice, Course, Material, Question


class MaterialInline(admin.StackedInline):
    model = Material
    extra = 0
    # A link typed without a scheme is taken as https (Django 6's default, without its warning).
    formfield_overrides: ClassVar[dict[type[models.Field[Any, Any]], dict[str, Any]]] = {
        models.URLField: {"assume_scheme": "https"}
    }


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    show_change_link = True


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "hotline", "pass_mark", "validity_days")
    list_filter = ("hotline",)
    inlines = (MaterialInline, QuestionInline)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "course")
    inlines = (ChoiceInline,)
