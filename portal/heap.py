"""
The garbage collector of a serving process, kept off the long-lived part of the heap.

CPython's full collections walk every object the collector tracks. A warm process holds a few
hundred thousand objects that live as long as it does (modules, URL patterns, compiled templates,
form and panel classes, Wagtail's registries), most of them loaded by its first requests of each
kind of page, and a full collection comes every few requests of an admin editor, whose forms leave
tens of thousands of objects in reference cycles. Such a collection spends most of its pause
walking objects that are never garbage, in the middle of whichever request happens to trigger it.

So after its first request, and then at an interval that doubles from `MIN_INTERVAL` up to
`MAX_INTERVAL` requests, the process collects everything once and freezes what survives
(`gc.freeze()`): later collections walk only what is newer. Each re-freeze unfreezes first, so an
object that was frozen and has since become garbage is collected then. A re-freeze costs one
collection of the whole heap; the least interval keeps two of them from falling within one burst
of requests. It runs after the response has gone (`request_finished`), so nobody waits for it but
the process's next request.
"""

import gc
import threading

from django.core.signals import request_finished

#: The shortest and the longest run of requests between two re-freezes.
MIN_INTERVAL = 32
MAX_INTERVAL = 1024


class Schedule:
    """When the next re-freeze is due: after the 1st request, then `min_interval` requests later,
    each interval twice the last up to `max_interval` (by default the 1st, 33rd, 97th, 225th...
    request, then every 1,024th)."""

    def __init__(self, min_interval=MIN_INTERVAL, max_interval=MAX_INTERVAL):
        self.max_interval = max_interval
        self.finished = 0
        self.interval = min_interval // 2
        self.due = 1
        self._lock = threading.Lock()

    def request_finished(self):
        """Count a finished request; True when a re-freeze is due now."""
        with self._lock:
            self.finished += 1
            if self.finished < self.due:
                return False
            self.interval = min(self.interval * 2, self.max_interval)
            self.due = self.finished + self.interval
            return True


def refreeze():
    """Collect the whole heap, the frozen part included, and freeze what is still alive."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


schedule = Schedule()


def _on_request_finished(**kwargs):
    if schedule.request_finished():
        refreeze()


def connect():
    request_finished.connect(_on_request_finished, dispatch_uid="portal.heap.refreeze")
