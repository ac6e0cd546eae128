"""The app's theme reaches every panel: the code's syntax colours, the thread colours, the
timeline, the event log and the message lines follow it, light themes included, and stay
readable (a contrast ratio, as WCAG defines it, between each piece of text and what is
behind it)."""

from __future__ import annotations

import itertools
import math

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.color import Color, rgb_to_lab
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip
from textual.theme import BUILTIN_THEMES, Theme
from textual.widget import Widget
from tui_testing import (
    RACY_COUNTER,
    make_app,
    run,
    scenario_screen,
    show,
    start_threads,
    until_running,
)

from threadlab.engine import resolve_config
from threadlab.tui.app import ThreadlabApp
from threadlab.tui.widgets.events import EventLog
from threadlab.tui.widgets.hint import HintLine
from threadlab.tui.widgets.palette import DARK_THREAD_COLOURS, LIGHT_THREAD_COLOURS, thread_colour
from threadlab.tui.widgets.primitives import PrimitivesPanel
from threadlab.tui.widgets.source import DARK_SYNTAX, LIGHT_SYNTAX, SourcePanel, syntax_theme
from threadlab.tui.widgets.source_rows import SourceRows
from threadlab.tui.widgets.status import StatusLine
from threadlab.tui.widgets.threads import StateLegend, ThreadsPanel
from threadlab.tui.widgets.timeline import TimelinePanel
from threadlab.tui.widgets.verdict import VerdictBanner

SIZE = (120, 40)
LIGHT = "textual-light"
DARK = "textual-dark"

SHIPPED = {
    name: theme
    for name, theme in BUILTIN_THEMES.items()
    if not (theme.background or "").startswith("ansi")
}
"""Textual's own themes, but those drawn in the terminal's colours (whose background is
whatever the terminal's is)."""


def luminance(color: Color) -> float:
    """The relative luminance of ``color`` (0 black to 1 white), as WCAG defines it."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = color.rgb
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: Color, second: Color) -> float:
    """The contrast ratio of two colours (1 to 21; WCAG asks 4.5 of text, 3 of large text)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def background(theme: Theme) -> Color:
    return Color.parse(theme.to_color_system().generate()["background"])


def colour(style: Style | None, *, foreground: bool = True) -> Color | None:
    """The colour a segment's style draws its text (or background) in; None: the default."""
    if style is None:
        return None
    rich = style.color if foreground else style.bgcolor
    if rich is None or rich.triplet is None:
        return None
    return Color(*rich.triplet)


def drawn(widget: Widget) -> list[Strip]:
    """The lines ``widget`` draws now, segment by segment, with their styles."""
    width, height = widget.outer_size
    return list(widget.render_lines(Region(0, 0, width, height)))


def segments_of(widget: Widget) -> list[Segment]:
    """The segments ``widget`` draws that hold text (not blanks, not its border's lines)."""
    return [
        segment
        for strip in drawn(widget)
        for segment in strip
        if segment.text.strip() and not all("\u2500" <= c <= "\u257f" for c in segment.text.strip())
    ]


def faint_text(widget: Widget, minimum: float) -> list[tuple[str, str, str, float]]:
    """Each piece of text ``widget`` draws with a contrast under ``minimum`` against its own
    background: (text, colour, background, ratio)."""
    faint = []
    for segment in segments_of(widget):
        ink = colour(segment.style)
        paper = colour(segment.style, foreground=False)
        if ink is None or paper is None:
            continue
        if segment.style is not None and segment.style.reverse:
            ink, paper = paper, ink
        ratio = contrast(ink, paper)
        if ratio < minimum:
            faint.append((segment.text, ink.hex, paper.hex, round(ratio, 2)))
    return faint


def text_colour(widget: Widget, text: str) -> Color:
    """The colour ``widget`` draws ``text`` in (the first segment that is exactly it)."""
    for segment in segments_of(widget):
        if segment.text.strip() == text:
            found = colour(segment.style)
            assert found is not None, f"{text!r} is drawn in the default colour"
            return found
    raise AssertionError(f"{text!r} is not drawn as one segment")


async def if_violation(pilot: Pilot) -> None:
    """Producer-consumer 'if', stepped to its FAILED verdict (a spurious wakeup lets C1 pop
    from an empty buffer): every panel has something to draw."""
    runtime = await until_running(pilot)
    for name in ("MainThread",) * 4 + ("C1", "C1", "C1"):
        runtime.step_thread(name)
        assert runtime.wait_idle(60)
    runtime.spurious_wakeup("not_empty", "C1")
    for name in ("C1", "C1"):
        runtime.step_thread(name)
        assert runtime.wait_idle(60)
    show(pilot.app)
    await pilot.pause()


async def switch_theme(pilot: Pilot, theme: str) -> None:
    pilot.app.theme = theme
    await pilot.pause()
    await pilot.pause()  # the panels that draw again on the theme's signal have done so


def violation_app() -> ThreadlabApp:
    return make_app("producer-consumer", variant="if", seed=0)


# ------------------------------------------------------------------- the palettes


@pytest.mark.parametrize("name", [n for n, t in SHIPPED.items() if not t.dark])
def test_light_thread_colours_read_on_every_light_theme(name: str) -> None:
    paper = background(SHIPPED[name])
    for ink in LIGHT_THREAD_COLOURS:
        assert contrast(Color.parse(ink), paper) >= 4.5, (ink, name)


@pytest.mark.parametrize("name", [n for n, t in SHIPPED.items() if t.dark])
def test_dark_thread_colours_read_on_every_dark_theme(name: str) -> None:
    paper = background(SHIPPED[name])
    for ink in DARK_THREAD_COLOURS:
        assert contrast(Color.parse(ink), paper) >= 4.5, (ink, name)


def test_thread_colours_differ_from_each_other_in_each_palette() -> None:
    """No two threads look alike: their colours are apart by a CIE76 distance of 18 at
    least (about 2.3 is the smallest difference an eye notices)."""
    for palette in (DARK_THREAD_COLOURS, LIGHT_THREAD_COLOURS):
        assert len(set(palette)) == len(palette) == len(LIGHT_THREAD_COLOURS)
        for first, second in itertools.combinations(palette, 2):
            one, other = rgb_to_lab(Color.parse(first)), rgb_to_lab(Color.parse(second))
            assert math.dist(one, other) >= 18, (first, second)


def test_a_thread_has_a_colour_of_each_palette() -> None:
    assert thread_colour(2, dark=True) == DARK_THREAD_COLOURS[1]
    assert thread_colour(2, dark=False) == LIGHT_THREAD_COLOURS[1]
    assert thread_colour(11, dark=False) == LIGHT_THREAD_COLOURS[1]  # wrapping after nine


def test_the_syntax_theme_goes_by_the_themes_darkness() -> None:
    assert syntax_theme(BUILTIN_THEMES[DARK]) == DARK_SYNTAX
    assert syntax_theme(BUILTIN_THEMES[LIGHT]) == LIGHT_SYNTAX
    assert syntax_theme(BUILTIN_THEMES["nord"]) == DARK_SYNTAX
    assert syntax_theme(BUILTIN_THEMES["solarized-light"]) == LIGHT_SYNTAX
    # drawn in the terminal's own colours: the ANSI syntax themes, by darkness too
    assert syntax_theme(BUILTIN_THEMES["ansi-dark"]) == "ansi_dark"
    assert syntax_theme(BUILTIN_THEMES["ansi-light"]) == "ansi_light"


# ------------------------------------------------------------- switching the theme


def test_switching_to_a_light_theme_recolours_the_code_and_keeps_it_readable() -> None:
    async def body() -> None:
        app = violation_app()
        async with app.run_test(size=SIZE) as pilot:
            await if_violation(pilot)
            rows = scenario_screen(app).query_one(SourceRows)
            dark_def = text_colour(rows, "def")
            await switch_theme(pilot, LIGHT)
            light_def = text_colour(rows, "def")
            assert light_def != dark_def  # a keyword: monokai's colour, then xcode's
            assert contrast(light_def, background(BUILTIN_THEMES[LIGHT])) >= 4.5
            # every piece of code, line number and thread marker reads on what is behind it
            # (a marked line's tint included), none on a background of its own
            assert faint_text(rows, 3.5) == []
            panel = scenario_screen(app).query_one(SourcePanel)
            paper = colour(panel.rich_style, foreground=False)
            marked = colour(panel.get_component_rich_style("source--marked"), foreground=False)
            assert marked != paper
            backgrounds = {colour(s.style, foreground=False) for s in segments_of(rows)}
            assert backgrounds <= {paper, marked}
            await switch_theme(pilot, DARK)
            assert text_colour(rows, "def") == dark_def  # and back

    run(body)


def test_a_threads_colour_follows_the_theme_in_every_panel() -> None:
    async def body() -> None:
        app = violation_app()
        async with app.run_test(size=SIZE) as pilot:
            await if_violation(pilot)
            screen = scenario_screen(app)
            screen.show_timeline()
            await pilot.pause()
            threads, timeline = screen.query_one(ThreadsPanel), screen.query_one(TimelinePanel)
            index = {t.name: t.index for t in screen.runtime.snapshot().threads}["C1"]
            dark = Color.parse(thread_colour(index, dark=True))
            light = Color.parse(thread_colour(index, dark=False))
            assert dark != light
            assert text_colour(threads, "C1") == dark
            await switch_theme(pilot, LIGHT)
            paper = background(BUILTIN_THEMES[LIGHT])
            assert contrast(light, paper) >= 4.5
            assert contrast(dark, paper) < 3  # the dark palette's would not do
            assert text_colour(threads, "C1") == light
            assert text_colour(timeline, "C1") == light  # its lane's label
            # "Threads involved: C1", in C1's colour
            assert text_colour(screen.query_one(VerdictBanner), "C1") == light

    run(body)


def test_the_event_log_writes_its_lines_again_in_the_new_themes_colours() -> None:
    async def body() -> None:
        app = violation_app()
        async with app.run_test(size=SIZE) as pilot:
            await if_violation(pilot)
            log = scenario_screen(app).query_one(EventLog)
            lines = len(log.lines)
            index = {t.name: t.index for t in scenario_screen(app).snapshot.threads}["C1"]
            assert text_colour(log, "C1") == Color.parse(thread_colour(index, dark=True))
            await switch_theme(pilot, LIGHT)
            assert len(log.lines) == lines  # the same lines, none lost or doubled
            assert text_colour(log, "C1") == Color.parse(thread_colour(index, dark=False))
            assert faint_text(log, 3) == []  # 'spurious', 'fail', 'you' read as well

    run(body)


def test_the_timeline_keeps_no_cell_of_the_old_themes_background() -> None:
    async def body() -> None:
        app = violation_app()
        async with app.run_test(size=SIZE) as pilot:
            await if_violation(pilot)
            screen = scenario_screen(app)
            screen.show_timeline()
            await pilot.pause()
            timeline = screen.query_one(TimelinePanel)
            await switch_theme(pilot, LIGHT)
            paper = colour(timeline.rich_style, foreground=False)
            backgrounds = {
                colour(segment.style, foreground=False)
                for strip in drawn(timeline)
                for segment in strip
                if not (segment.style and segment.style.reverse)  # a verdict's mark
            }
            assert backgrounds == {paper}
            assert faint_text(timeline, 3) == []

    run(body)


@pytest.mark.parametrize("theme", ["textual-light", "catppuccin-latte", "atom-one-light"])
def test_every_panel_reads_under_a_light_theme(theme: str) -> None:
    """Every piece of text on the scenario screen's panels has a contrast of 3 at least
    with what is behind it. (Not under solarized-light: its own foreground has a contrast
    of 5 with its background, and text drawn dim there, such as a finished thread's last
    operation, falls to 2.6.)"""

    async def body() -> None:
        app = violation_app()
        async with app.run_test(size=SIZE) as pilot:
            await if_violation(pilot)
            screen = scenario_screen(app)
            screen.show_timeline()
            await pilot.pause()
            await switch_theme(pilot, theme)
            for panel in (
                ThreadsPanel,
                PrimitivesPanel,
                TimelinePanel,
                EventLog,
                VerdictBanner,
                StatusLine,
                SourceRows,
            ):
                assert faint_text(screen.query_one(panel), 3) == [], panel.__name__

    run(body)


@pytest.mark.parametrize("theme", ["textual-light", "atom-one-light"])
def test_the_hint_and_status_lines_read_on_a_light_theme(theme: str) -> None:
    """The hint line in the theme's text colours; the status line's PAUSED on a tint of
    the warning colour (as text, even the theme's text colour for warnings is faint on the
    status line's panel colour)."""

    async def body() -> None:
        app = make_app("producer-consumer", seed=3)
        async with app.run_test(size=SIZE) as pilot:
            await until_running(pilot)
            show(app)
            await pilot.pause()
            hint = scenario_screen(app).query_one(HintLine)
            # a standing hint (at step 0, the challenge's), in the warning colour
            assert hint.text.startswith(("Paused", "Challenge:"))
            await switch_theme(pilot, theme)
            assert faint_text(hint, 3) == []
            assert faint_text(scenario_screen(app).query_one(StatusLine), 3) == []
            hint.say("something refused", "warning")
            await pilot.pause()
            assert faint_text(hint, 3) == []
            hint.say("something done", "information")
            await pilot.pause()
            assert faint_text(hint, 3) == []

    run(body)


@pytest.mark.parametrize("theme", ["textual-light", "catppuccin-latte", "rose-pine-dawn"])
def test_every_thread_state_reads_under_a_light_theme(theme: str) -> None:
    """The help screen's legend draws every state as the threads panel does (done, sleeping
    and failed included, which the violation above does not show). (Not atom-one-light:
    its own text colours for success and warning fall to 2.5 on its surface, where the
    help is drawn.)"""

    async def body() -> None:
        app = violation_app()
        async with app.run_test(size=SIZE) as pilot:
            await until_running(pilot)
            await switch_theme(pilot, theme)
            await pilot.press("question_mark")
            await pilot.pause()
            legend = app.screen.query_one(StateLegend)
            assert len(segments_of(legend)) >= 2 * 8  # a state and its meaning, for each
            assert faint_text(legend, 3) == []

    run(body)


def test_a_lost_update_is_marked_in_the_light_themes_error_colour() -> None:
    """Read, read, write, write: the second write loses the first thread's update, and the
    primitives panel says so in red: the ANSI red on a dark theme, the light theme's own
    text colour for errors on a light one."""

    async def body() -> None:
        app = make_app(config=resolve_config(RACY_COUNTER))
        async with app.run_test(size=SIZE) as pilot:
            runtime = await until_running(pilot)
            start_threads(runtime)
            for name in ("T1", "T2", "T1", "T2"):
                runtime.step_thread(name)
                assert runtime.wait_idle(60)
            show(app)
            await pilot.pause()
            panel = scenario_screen(app).query_one(PrimitivesPanel)
            on_dark = text_colour(panel, "'s update lost")
            await switch_theme(pilot, LIGHT)
            on_light = text_colour(panel, "'s update lost")
            error = Color.parse(app.theme_variables["text-error"])
            assert on_dark != on_light == error
            assert faint_text(panel, 3) == []

    run(body)
