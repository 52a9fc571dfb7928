"""Admin for editing courses' materials and quizzes (superusers only, like all of the admin)."""

from __future__ import annotations

from django.contrib import admin

from xinyuan.volunteers.models import Choice, Course, Material, Question


class MaterialInline(admin.StackedInline):
    model = Material
    extra = 0


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
