"""Pilot tests: press each key of the scenario screen and check the engine's state.

Every run starts paused, so the only steps taken are the ones a key grants; after such a
key the test waits for the engine to be idle before it looks.
"""

from __future__ import annotations

from tui_testing import hint_text, make_app, notifications, run, runtime_of, settle

from threadlab.engine import RunState, Runtime, ThreadState, resolve_config
from threadlab.scenarios import get_scenario
from threadlab.tui.screens.help import HelpScreen
from threadlab.tui.screens.quitting import QuitScreen
from threadlab.tui.screens.scenario import ScenarioScreen
from threadlab.tui.screens.speeds import faster, slower

SIZE = (120, 40)


def _all_started(runtime) -> None:
    """Step the main thread until it has started every thread and waits to join them."""
    while not runtime.snapshot().thread("MainThread").operation.startswith("join"):
        runtime.step_thread("MainThread")
        assert runtime.wait_idle(60)


def _all_waiting(runtime) -> None:
    """Step the condition scenario until every thread waits on the condition."""
    while runtime.snapshot().idle_reason is None:
        runtime.step()
        assert runtime.wait_idle(60)


def test_space_pauses_and_resumes() -> None:
    async def body() -> None:
        app = make_app("mutex", speed=1)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            assert runtime.snapshot().run_state is RunState.PAUSED
            await pilot.press("space")
            assert runtime.snapshot().run_state is RunState.RUNNING
            await pilot.press("space")
            assert runtime.wait_idle(60)
            assert runtime.snapshot().run_state is RunState.PAUSED

    run(body)


def test_n_takes_exactly_one_step() -> None:
    async def body() -> None:
        app = make_app("producer-consumer", seed=5)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            assert runtime.snapshot().step == 0
            await pilot.press("n")
            assert runtime.wait_idle(60)
            assert runtime.snapshot().step == 1
            await pilot.press("n", "n")
            assert runtime.wait_idle(60)
            assert runtime.snapshot().step == 3

    run(body)


def test_digit_steps_that_thread() -> None:
    async def body() -> None:
        app = make_app("mutex")
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            _all_started(runtime)  # threads 1-4: MainThread, T1, T2, T3
            before = runtime.snapshot()
            await pilot.press("3")
            assert runtime.wait_idle(60)
            after = runtime.snapshot()
            assert after.step == before.step + 1
            moved = [t.name for t in after.threads if t != before.thread(t.name)]
            assert moved == ["T2"]

    run(body)


def test_digit_refuses_a_thread_that_cannot_run() -> None:
    async def body() -> None:
        app = make_app("condition")
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            _all_waiting(runtime)
            before = runtime.snapshot()
            await pilot.press("2")  # T1 (thread 1 is MainThread)
            await pilot.pause()
            assert runtime.wait_idle(60)
            after = runtime.snapshot()
            assert after.step == before.step
            assert after.revision == before.revision
            assert hint_text(app) == "T1 cannot run now: it is waiting on wakeup"
            assert notifications(app) == []  # on the hint line, not in a toast

    run(body)


def test_digit_without_such_thread_notifies() -> None:
    async def body() -> None:
        app = make_app("mutex")
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            _all_started(runtime)
            step = runtime.snapshot().step
            await pilot.press("9")
            await pilot.pause()
            assert runtime.snapshot().step == step
            assert hint_text(app) == "there is no thread 9 (threads 1-4)"

    run(body)


def test_plus_and_minus_change_speed() -> None:
    async def body() -> None:
        app = make_app("mutex", speed=4)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            await pilot.press("plus")
            assert runtime.speed == 8
            await pilot.press("minus", "minus")
            assert runtime.speed == 2
            assert runtime.snapshot().speed == 2

    run(body)


def test_speed_list_ends_at_max_and_at_one() -> None:
    assert faster(64) is None
    assert faster(None) is None
    assert faster(3) == 4
    assert slower(None) == 64
    assert slower(1) == 1
    assert slower(3) == 2


def test_s_signals_the_first_waiter() -> None:
    async def body() -> None:
        app = make_app("condition")
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            _all_waiting(runtime)
            first, *rest = runtime.snapshot().primitive("wakeup").queue
            assert len(rest) == 2
            await pilot.press("s")
            snapshot = runtime.snapshot()
            assert snapshot.primitive("wakeup").queue == tuple(rest)
            assert snapshot.thread(first).state is ThreadState.RUNNABLE
            assert snapshot.events[-1].kind == "signal"
            assert snapshot.events[-1].thread is None  # the user did it

    run(body)


def test_b_broadcasts_to_every_waiter() -> None:
    async def body() -> None:
        app = make_app("condition")
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            _all_waiting(runtime)
            await pilot.press("b")
            snapshot = runtime.snapshot()
            assert snapshot.primitive("wakeup").queue == ()
            sleepers = [t for t in snapshot.threads if t.name != "MainThread"]
            assert len(sleepers) == 3
            assert all(t.state is ThreadState.RUNNABLE for t in sleepers)

    run(body)


def test_w_wakes_the_selected_waiter_spuriously() -> None:
    async def body() -> None:
        app = make_app("condition")
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            _all_waiting(runtime)
            screen = app.screen
            assert isinstance(screen, ScenarioScreen)
            screen.refresh_snapshot(force=True)
            first, second, third = runtime.snapshot().primitive("wakeup").queue
            assert screen.selection.waiter == first
            await pilot.press("right_square_bracket")  # select the second waiter
            assert screen.selection.waiter == second
            await pilot.press("w")
            snapshot = runtime.snapshot()
            assert snapshot.primitive("wakeup").queue == (first, third)
            assert snapshot.events[-1].kind == "spurious"
            assert snapshot.events[-1].detail == f"{second} woken with no signal"

    run(body)


def test_c_cycles_the_selected_condition() -> None:
    async def body() -> None:
        app = make_app("producer-consumer")
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, ScenarioScreen)
            assert screen.selection.condition == "not_full"
            await pilot.press("c")
            assert screen.selection.condition == "not_empty"
            await pilot.press("c")
            assert screen.selection.condition == "not_full"

    run(body)


def test_s_without_waiters_notifies_and_changes_nothing() -> None:
    async def body() -> None:
        app = make_app("condition")
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            before = runtime.snapshot()
            await pilot.press("s")
            await pilot.pause()
            assert runtime.snapshot() == before
            assert hint_text(app) == "nobody is waiting on wakeup"

    run(body)


def test_condition_keys_do_not_apply_without_conditions() -> None:
    async def body() -> None:
        app = make_app("mutex")
        async with app.run_test(size=SIZE) as pilot:
            before = runtime_of(app).snapshot()
            await pilot.press("s", "b", "w")
            await pilot.pause()
            assert runtime_of(app).snapshot() == before
            assert "signal" not in app.screen.active_bindings  # hidden from the footer

    run(body)


def test_r_restarts_from_step_zero() -> None:
    async def body() -> None:
        app = make_app("producer-consumer")
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.step(7)
            assert runtime.wait_idle(60)
            assert runtime.snapshot().step == 7
            await pilot.press("r")
            await settle(pilot)
            snapshot = runtime.snapshot()
            assert snapshot.step == 0
            assert snapshot.run_state is RunState.PAUSED

    run(body)


def test_question_mark_opens_help_and_escape_closes_it() -> None:
    async def body() -> None:
        app = make_app("condition")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, ScenarioScreen)

    run(body)


def test_help_reopens_as_it_was_built_from_the_top_and_anew_when_the_keys_change() -> None:
    """Exists because building and drawing the help took 45 to 130 ms a time, beyond the
    100 ms a key may take while a rewind or a save is under way."""

    async def body() -> None:
        app = make_app("producer-consumer")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("question_mark")
            first = app.screen
            assert isinstance(first, HelpScreen)
            first.query_one("#help-body").scroll_end(animate=False)
            await pilot.pause()
            await pilot.press("escape", "question_mark")
            await pilot.pause()
            assert app.screen is first
            assert first.query_one("#help-body").scroll_y == 0
            await pilot.press("escape")
            screen = app.screen
            assert isinstance(screen, ScenarioScreen)
            fewer = screen.key_help()[1:]  # as when a key stops applying (no condition left)
            screen.key_help = lambda: fewer  # type: ignore[method-assign]
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen) and app.screen is not first
            assert app.screen.keys == screen.key_help()

    run(body)


def test_q_asks_then_quits_and_esc_stays() -> None:
    async def body() -> None:
        app = make_app("mutex")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("q")
            assert isinstance(app.screen, QuitScreen)  # a run is lost on quitting: asked
            await pilot.press("escape")
            assert isinstance(app.screen, ScenarioScreen)
            await pilot.press("q", "q")  # q twice quits
            await pilot.pause()
        assert app.return_code == 0

    run(body)


def test_q_in_help_asks_to_quit_as_everywhere() -> None:
    async def body() -> None:
        app = make_app("mutex")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("question_mark", "q")
            await pilot.pause()
            assert isinstance(app.screen, QuitScreen)
            await pilot.press("y")
            await pilot.pause()
        assert app.return_code == 0

    run(body)


def test_q_is_quit_on_every_screen_and_p_goes_back_to_the_picker() -> None:
    async def body() -> None:
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("down", "down", "enter")  # mutex: locked, unlocked; then condition
            runtime = runtime_of(app)
            assert runtime.config.scenario.name == "condition"
            assert runtime.config.variant == "manual"
            assert runtime.config.seed == 0
            screen = app.screen
            assert isinstance(screen, ScenarioScreen)
            shown = {b.binding.key: b.binding.description for b in screen.active_bindings.values()}
            assert shown["q"] == "Quit" and shown["left"] == "Back" and shown["p"] == "Scenarios"
            await pilot.press("p")
            await pilot.pause()
            assert type(app.screen).__name__ == "PickerScreen"
            assert runtime.stop(timeout=0.1)  # already stopped: nothing left to join

            await pilot.press("enter", "q", "p")  # the question offers the scenarios too
            await pilot.pause()
            assert type(app.screen).__name__ == "PickerScreen"
            await pilot.press("q")  # the picker quits at once: nothing is lost there
        assert app.return_code == 0

    run(body)


def test_p_opens_the_picker_in_place_of_a_run_opened_directly() -> None:
    async def body() -> None:
        app = make_app("mutex")
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            await pilot.press("p")
            await pilot.pause()
            assert type(app.screen).__name__ == "PickerScreen"
            assert runtime.stop(timeout=0.1)  # its screen went away: the run stopped
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ScenarioScreen)
            await pilot.press("p")
            await pilot.pause()
            assert type(app.screen).__name__ == "PickerScreen"

    run(body)


def _deadlocking_seed() -> int:
    """The first seed whose schedule deadlocks the left-right philosophers."""
    scenario = get_scenario("philosophers")
    for seed in range(200):
        runtime = Runtime(resolve_config(scenario, "left-right", seed=seed), speed=None)
        try:
            runtime.start()
            assert runtime.wait_idle(30)
            if runtime.snapshot().run_state is RunState.DEADLOCK:
                return seed
        finally:
            assert runtime.stop()
    raise AssertionError("no seed in 0..199 deadlocks the philosophers")


def test_a_verdict_refuses_steps_with_a_notification() -> None:
    async def body() -> None:
        # flat out: at the default pace (4 steps a second) the run took ~10 s to deadlock,
        # and wait_idle() gave up at its 10 s default on a busy machine
        app = make_app("philosophers", variant="left-right", seed=_deadlocking_seed(), speed=None)
        async with app.run_test(size=SIZE) as pilot:
            runtime = runtime_of(app)
            runtime.resume()
            assert runtime.wait_idle(60)  # a guard against a hang, not a measure
            assert runtime.snapshot().run_state is RunState.DEADLOCK
            await pilot.press("n")
            await pilot.pause()
            assert hint_text(app) == "the run has ended in deadlock: step back or restart it"

    run(body)


def test_palette_commands_name_their_targets() -> None:
    async def body() -> None:
        app = make_app("condition")
        async with app.run_test(size=SIZE):
            runtime = runtime_of(app)
            _all_waiting(runtime)
            screen = app.screen
            assert isinstance(screen, ScenarioScreen)
            screen.refresh_snapshot(force=True)
            commands = {c.title: c for c in app.get_system_commands(screen)}
            first, second, last = runtime.snapshot().primitive("wakeup").queue
            for title in (
                "Resume",
                "Signal wakeup",
                "Broadcast wakeup",
                f"Spurious wakeup {last} on wakeup",
                "Speed max",
                "Restart",
            ):
                assert title in commands, title
            assert "Step T1" not in commands  # T1 waits: it cannot be stepped
            commands[f"Spurious wakeup {last} on wakeup"].callback()
            assert runtime.snapshot().primitive("wakeup").queue == (first, second)

    run(body)
