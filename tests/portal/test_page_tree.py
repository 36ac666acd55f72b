"""Where each page type may live, as its model declares (parent_page_types, subpage_types,
max_count): the editor offers a type only where these allow it."""

import pytest

from wagtail.models import Page, get_page_models
from wagtail.test.utils import WagtailPageTestCase

from library.models import LibraryIndexPage, ResourcePage
from meetings.models import MeetingIndexPage, MeetingPage
from portal.models import HomePage, StandardPage

PAGE_TYPES = {HomePage, StandardPage, LibraryIndexPage, ResourcePage, MeetingIndexPage, MeetingPage}


class PageTreeTests(WagtailPageTestCase):
    def test_every_page_type_of_the_portal_is_pinned_here(self):
        # A new page type fails this until its place in the tree is pinned below.
        self.assertEqual(set(get_page_models()) - {Page}, PAGE_TYPES)

    def test_the_home_page_sits_at_the_root_alone(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanCreateAt(Page, HomePage)
        for page_type in PAGE_TYPES - {HomePage}:
            self.assertCanNotCreateAt(Page, page_type)
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))  # max_count 1

    def test_the_home_page_holds_the_sections_and_standard_pages(self):
        # HomePage declares no subpage_types: what it holds is what declares it as a parent
        # (plus Wagtail's base Page, which editors can never create).
        self.assertAllowedSubpageTypes(
            HomePage, {Page, StandardPage, LibraryIndexPage, MeetingIndexPage}
        )
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(HomePage, ResourcePage)
        self.assertCanNotCreateAt(HomePage, MeetingPage)

    def test_standard_pages_nest_under_the_home_page_and_each_other(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        self.assertTrue(StandardPage.can_create_at(HomePage.objects.get()))


# Each section of the home page and the pages it holds: the library and its resources, the
# meetings index and its meetings.
SECTIONS = pytest.mark.parametrize(
    ("section", "item"),
    [(LibraryIndexPage, ResourcePage), (MeetingIndexPage, MeetingPage)],
    ids=["library", "meetings"],
)


@SECTIONS
@pytest.mark.django_db
def test_a_section_is_one_page_of_the_home_page_holding_its_items(section, item):
    assert set(section.allowed_parent_page_models()) == {HomePage}
    assert set(section.allowed_subpage_models()) == {item}
    # max_count 1: the one the site starts with is the only one.
    assert not section.can_create_at(HomePage.objects.get())


@SECTIONS
@pytest.mark.django_db
def test_a_sections_items_live_only_in_it_and_hold_nothing(section, item):
    assert set(item.allowed_parent_page_models()) == {section}
    assert set(item.allowed_subpage_models()) == set()
    for elsewhere in PAGE_TYPES - {section}:
        assert item not in elsewhere.allowed_subpage_models(), elsewhere
    assert item.can_create_at(section.objects.get())
