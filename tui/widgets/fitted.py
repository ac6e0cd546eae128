"""Panels as tall as their content, without a new layout at every frame.

A new layout redraws the whole screen, which at max speed costs more than everything else
in a frame together. A panel sized to its content (``height: auto``) therefore repaints
itself when its state changes and asks for a new layout only when its height changed.
"""

from __future__ import annotations

from textual.widget import Widget


class FittedPanel(Widget):
    """Call ``refit()`` from the watcher of every reactive the content depends on (declare
    those reactives with ``layout=False``, the default)."""

    _fitted_height: int | None = None

    def refit(self) -> None:
        """Repaint; lay the screen out again only if the content's height changed."""
        # Refresh first: it clears the cached rendering, which measuring then fills in and
        # painting reuses, so the panel is rendered once a frame, not twice.
        self.refresh()
        width = self.size.width
        if not width:  # not laid out yet: the first layout measures it
            self.refresh(layout=True)
            return
        height = self.get_content_height(self.size, self.app.size, width)
        if height != self._fitted_height:
            self._fitted_height = height
            self.refresh(layout=True)
