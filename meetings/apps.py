from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from meetings import admin_forms, signals  # noqa: F401  (signals connects receivers)
        from meetings.home import my_meetings, my_open_action_points, upcoming_meetings_section
        from meetings.search_records import MeetingRecordSource, meetings_showing
        from portal.home import register_dashboard_section, register_home_section
        from search.registry import register, register_document_lookup

        register(MeetingRecordSource())
        register_document_lookup(meetings_showing)
        register_home_section(upcoming_meetings_section)
        register_dashboard_section(my_open_action_points)
        register_dashboard_section(my_meetings)
        admin_forms.register_autocomplete_sources()
