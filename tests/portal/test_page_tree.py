"""Where each page type may live, as its model declares (parent_page_types, subpage_types,
max_count): the editor offers a type only where these allow it."""

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

    def test_the_library_is_one_section_of_the_home_page_holding_resources(self):
        self.assertAllowedParentPageTypes(LibraryIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(LibraryIndexPage, {ResourcePage})
        # max_count 1: the one the site starts with is the only one.
        self.assertFalse(LibraryIndexPage.can_create_at(HomePage.objects.get()))

    def test_resources_live_only_in_the_library_and_hold_nothing(self):
        self.assertAllowedParentPageTypes(ResourcePage, {LibraryIndexPage})
        self.assertAllowedSubpageTypes(ResourcePage, set())
        self.assertCanNotCreateAt(StandardPage, ResourcePage)
        self.assertCanNotCreateAt(MeetingIndexPage, ResourcePage)
        self.assertTrue(ResourcePage.can_create_at(LibraryIndexPage.objects.get()))

    def test_the_meetings_are_one_section_of_the_home_page_holding_meetings(self):
        self.assertAllowedParentPageTypes(MeetingIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(MeetingIndexPage, {MeetingPage})
        self.assertFalse(MeetingIndexPage.can_create_at(HomePage.objects.get()))

    def test_meetings_live_only_under_the_meetings_index_and_hold_nothing(self):
        self.assertAllowedParentPageTypes(MeetingPage, {MeetingIndexPage})
        self.assertAllowedSubpageTypes(MeetingPage, set())
        self.assertCanNotCreateAt(StandardPage, MeetingPage)
        self.assertCanNotCreateAt(LibraryIndexPage, MeetingPage)
        self.assertTrue(MeetingPage.can_create_at(MeetingIndexPage.objects.get()))
