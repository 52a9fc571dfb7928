from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "xinyuan.web"
    label = "web"
