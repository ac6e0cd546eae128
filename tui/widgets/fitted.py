"""Panels as tall as their content, without a new layout at every frame.

A new layout redraws the whole screen, which at max speed costs more than everything else
in a frame together. A panel sized to its content (``height: auto``) therefore repaints
itself when its state changes and asks for a new layout only when its height changed.

Measuring that height renders the content once more: a panel that changes at every frame
(a run at max speed) is measured at most every ``MEASURE_EVERY`` seconds, and once more
after its last change, so the height it settles at is always its content's.
"""

from __future__ import annotations

import time

from textual.timer import Timer
from textual.widget import Widget

MEASURE_EVERY = 0.1
"""Seconds at least between two measures of a panel's height."""


class FittedPanel(Widget):
    """Call ``refit()`` from the watcher of every reactive the content depends on (declare
    those reactives with ``layout=False``, the default)."""

    _fitted_height: int | None = None
    _measured_at = -MEASURE_EVERY
    _measure_later: Timer | None = None

    def refit(self) -> None:
        """Repaint; lay the screen out again if the content's height changed (measured now,
        or a moment later when it was measured a moment ago)."""
        # Refresh first: it clears the cached rendering, which measuring then fills in and
        # painting reuses, so the panel is rendered once a frame, not twice.
        self.refresh()
        if time.monotonic() - self._measured_at >= MEASURE_EVERY:
            self._measure()
        elif self._measure_later is None:
            self._measure_later = self.set_timer(MEASURE_EVERY, self._measure)

    def _measure(self) -> None:
        if self._measure_later is not None:
            self._measure_later.stop()
            self._measure_later = None
        self._measured_at = time.monotonic()
        width = self.size.width
        if not width:  # not laid out yet: the first layout measures it
            self.refresh(layout=True)
            return
        height = self.get_content_height(self.size, self.app.size, width)
        if height != self._fitted_height:
            self._fitted_height = height
            self.refresh(layout=True)
