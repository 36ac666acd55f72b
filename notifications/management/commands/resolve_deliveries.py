from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from notifications.models import Delivery


class Command(BaseCommand):
    help = (
        "Settle deliveries whose outcome is unknown (status Unconfirmed in Messages sent: handed "
        "to the mail server, answer lost). Look each Message-ID up in the mail server's log "
        "first. --sent records that the server accepted them; --resend sends them again (with "
        "the same Message-ID). Only unconfirmed deliveries are changed; the others are named."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument(
            "--sent",
            nargs="+",
            type=int,
            metavar="ID",
            help="Deliveries the mail server's log shows as accepted.",
        )
        action.add_argument(
            "--resend",
            nargs="+",
            type=int,
            metavar="ID",
            help="Deliveries the mail server's log shows it never accepted.",
        )

    def handle(self, *args, sent=None, resend=None, **options):
        from notifications.tasks import send_delivery

        ids = set(sent or resend)
        now = timezone.now()
        if sent:
            change = {"status": Delivery.Status.SENT, "sent_at": now}
        else:
            # FAILED: waiting to be sent, as after a refusal; the claim is given up.
            change = {"status": Delivery.Status.FAILED, "handed_over_at": None}
        with transaction.atomic():
            rows = Delivery.objects.select_for_update().filter(
                pk__in=ids, status=Delivery.Status.UNCONFIRMED
            )
            settled = set(rows.values_list("pk", flat=True))
            rows.update(updated_at=now, **change)
            if resend:
                for pk in settled:
                    transaction.on_commit(lambda pk=pk: send_delivery.delay(pk), robust=True)
        if settled:
            verb = "Recorded as sent" if sent else "Sending again"
            self.stdout.write(self.style.SUCCESS(f"{verb}: {', '.join(map(str, sorted(settled)))}"))
        if ids - settled:
            raise CommandError(
                "Not unconfirmed (left unchanged): " + ", ".join(map(str, sorted(ids - settled)))
            )
