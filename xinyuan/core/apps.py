from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "xinyuan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from xinyuan.core import signals  # noqa: F401  (connects the sign-in audit)


class XinyuanAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "xinyuan.core.admin_site.SuperuserAdminSite"
