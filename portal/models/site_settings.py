from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="site")
class NetworkSettings(BaseSiteSetting):
    """The network's name and the secretariat's contact details, shown in the header and footer."""

    network_name = models.CharField(
        _("network name"),
        max_length=200,
        default="Network portal",
        help_text=_("Full name, shown in the header and page titles."),
    )
    short_name = models.CharField(
        _("short name"), max_length=40, blank=True, help_text=_("Abbreviation, e.g. for emails.")
    )
    secretariat_email = models.EmailField(
        _("secretariat email"),
        blank=True,
        help_text=_("Public contact address of the secretariat."),
    )
    secretariat_phone = models.CharField(
        _("secretariat phone"), max_length=40, blank=True, help_text=_("In international format.")
    )
    secretariat_address = models.TextField(
        _("secretariat address"), blank=True, help_text=_("Postal address, one line per row.")
    )
    footer_text = models.TextField(
        _("footer text"), blank=True, help_text=_("A short line shown at the foot of every page.")
    )

    panels = [
        FieldPanel("network_name"),
        FieldPanel("short_name"),
        MultiFieldPanel(
            [
                FieldPanel("secretariat_email"),
                FieldPanel("secretariat_phone"),
                FieldPanel("secretariat_address"),
            ],
            heading=_("Secretariat"),
        ),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = _("network settings")
