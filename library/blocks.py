from django.utils.translation import gettext_lazy as _

from wagtail import blocks

from portal.blocks import BaseStreamBlock


class IndicatorBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Indicator"), help_text=_("What frontline staff look for."))
    source = blocks.CharBlock(
        label=_("Source"),
        required=False,
        max_length=255,
        help_text=_("Where the indicator comes from, e.g. a guideline and its section."),
    )

    class Meta:
        icon = "tick"
        label = _("Indicator")


class IndicatorCategoryBlock(blocks.StructBlock):
    name = blocks.CharBlock(
        label=_("Category"),
        max_length=200,
        help_text=_("E.g. Control of movement, Working conditions."),
    )
    indicators = blocks.ListBlock(IndicatorBlock(), label=_("Indicators"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Category")


class IndicatorChecklistBlock(blocks.StructBlock):
    """The network's screening and identification indicators: categories of indicators, each
    with the source it comes from, rendered as a checklist that reads and prints well."""

    title = blocks.CharBlock(label=_("Title"), max_length=200, required=False)
    introduction = blocks.TextBlock(
        label=_("Introduction"), required=False, help_text=_("How and by whom the list is used.")
    )
    categories = blocks.ListBlock(IndicatorCategoryBlock(), label=_("Categories"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Indicator checklist")
        template = "components/blocks/indicator_checklist.html"

    def get_searchable_content(self, value):
        content = [value.get("title") or "", value.get("introduction") or ""]
        for category in value.get("categories") or []:
            content.append(category["name"])
            for indicator in category["indicators"]:
                content.extend([indicator["text"], indicator["source"] or ""])
        return [text for text in content if text]


class ResourceStreamBlock(BaseStreamBlock):
    """The body of a resource: the shared blocks plus indicator checklists."""

    indicator_checklist = IndicatorChecklistBlock()
