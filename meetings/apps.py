from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from meetings import signals  # noqa: F401  (connects the receivers)
        from meetings.home import upcoming_meetings_section
        from meetings.search_records import MeetingRecordSource
        from portal.home import register_home_section
        from search.registry import register

        register(MeetingRecordSource())
        register_home_section(upcoming_meetings_section)
