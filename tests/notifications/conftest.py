"""
A real SMTP server in the test process (aiosmtpd), and the people and accounts the notification
tests send to.
"""

import asyncio
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from django.utils import timezone

from network.models import Person
from tests.portal.factories import UserFactory


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """aiosmtpd handler that keeps every accepted message, parsed."""

    def __init__(self, rcpt_delay=0.0):
        self.messages = []
        # Slows each conversation down before the message is handed over, so that a test can
        # interrupt a sender mid-loop without landing after the server accepted a message.
        self.rcpt_delay = rcpt_delay
        # Conversations now held in that delay: a sender stopped then has committed every
        # message the server accepted before, and has not handed this one over.
        self.held = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_delay:
            self.held += 1
            try:
                await asyncio.sleep(self.rcpt_delay)
            finally:
                self.held -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]


class SMTPServer:
    def __init__(self, port=None, rcpt_delay=0.0):
        self.port = port or free_port()
        self.mailbox = Mailbox(rcpt_delay=rcpt_delay)
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


def use_smtp(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp_server(settings):
    server = SMTPServer()
    server.start()
    use_smtp(settings, server.port)
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server.mailbox


def stale_person(user, **kwargs):
    """A directory entry for `user`, last confirmed 13 months ago."""
    return Person.objects.create(
        given_name=kwargs.pop("given_name", "Ana"),
        family_name=kwargs.pop("family_name", "Example"),
        user=user,
        last_confirmed=timezone.now() - timedelta(days=400),
        **kwargs,
    )


@pytest.fixture
def stale_member(db):
    """A member whose directory entry is due for confirmation."""
    user = UserFactory(member=True)
    stale_person(user)
    return user


@pytest.fixture
def owner(db):
    """A member linked to a directory entry in a country."""
    from tests.meetings.factories import make_country, make_person

    user = UserFactory(member=True)
    make_person(user=user, country=make_country())
    return user
