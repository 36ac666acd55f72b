"""Ending a mandate and naming a successor, as one step (the secretariat's handover)."""

import datetime

from django.db import transaction

from wagtail.log_actions import log

from network.models import Mandate
from network.signals import mandate_handed_over


def hand_over(mandate, successor, handover_date, by):
    """End `mandate` the day before `handover_date`, start the same role for `successor` on that
    day, log it on both entries and send `mandate_handed_over`. All or nothing: a receiver that
    fails (e.g. moving action points) rolls the handover back."""
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
        mandate.end = handover_date - datetime.timedelta(days=1)
        mandate.save(update_fields=["end"])
        successor_mandate = Mandate.objects.create(
            person=successor, role=mandate.role, country=mandate.country, start=handover_date
        )
        predecessor = mandate.person
        data = {
            "mandate": mandate.pk,
            "successor_mandate": successor_mandate.pk,
            "role": mandate.role,
            "predecessor": predecessor.pk,
            "successor": successor.pk,
            "date": handover_date.isoformat(),
        }
        log(instance=predecessor, action="network.handover", user=by, data=data)
        log(instance=successor, action="network.handover", user=by, data=data)
        mandate_handed_over.send(
            sender=Mandate,
            mandate=mandate,
            successor_mandate=successor_mandate,
            predecessor=predecessor,
            successor=successor,
            by=by,
        )
    return successor_mandate
