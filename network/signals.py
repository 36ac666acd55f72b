from django.dispatch import Signal

#: Sent when the secretariat ends a mandate and names a successor, after the new mandate is saved.
#: Arguments: `mandate` (the ended Mandate), `successor_mandate` (the new Mandate), `predecessor`
#: and `successor` (Person). The meetings app moves open action points along with it.
mandate_handed_over = Signal()
