"""fl.widgets.explore: moving a control changes what is shown."""

from __future__ import annotations

import threading

import pytest

import factorlab as fl


@pytest.fixture
def explorer(small_sample):
    return fl.widgets.explore(small_sample, debounce_s=0)


def test_the_explorer_starts_with_a_table_a_backtest_and_a_chart(explorer):
    assert len(explorer.table) == 10 and explorer.table["rank"].tolist() == list(range(1, 11))
    assert explorer.result.settings["cost_bps"] == 10
    assert explorer.figure.axes and explorer.updates == 1


def test_moving_the_weights_reorders_the_table_and_changes_the_backtest(explorer):
    before_table, before_returns = explorer.table.copy(), explorer.result.returns.copy()
    explorer.weights["value"].value = 0.0
    explorer.weights["growth"].value = 0.0
    explorer.weights["momentum"].value = 1.0
    assert explorer.updates == 4
    assert explorer.table.index.tolist() != before_table.index.tolist()
    top = explorer.table.index[0]
    assert explorer.table.loc[top, "momentum_score"] == explorer.table["momentum_score"].max()
    assert not explorer.result.returns.equals(before_returns)


def test_costs_rebalance_quantiles_and_top_n_reach_the_backtest(explorer):
    explorer.cost_bps.value = 50
    assert explorer.result.settings["cost_bps"] == 50
    explorer.rebalance.value = "Q"
    explorer.quantiles.value = 3
    assert explorer.result.settings["rebalance"] == "Q"
    assert explorer.result.settings["quantiles"] == 3
    explorer.top.value = 5
    assert len(explorer.table) == 5


def test_all_weights_at_zero_asks_for_one_and_shows_nothing_stale(explorer):
    for slider in explorer.weights.values():
        slider.value = 0.0
    assert "at least one family" in explorer.status.value
    assert explorer.result is None and explorer.table is None


def test_the_sliders_start_from_given_weights_and_match_fl_score(small_sample):
    explorer = fl.widgets.explore(small_sample, debounce_s=0, weights="value=0.5,momentum=0.5")
    assert [s.value for s in explorer.weights.values()] == [0.5, 0.0, 0.5]
    expected = fl.score(small_sample, weights="value=0.5,momentum=0.5").composite
    assert (explorer.composite() - expected).abs().max().max() < 1e-12


class FakeClock:
    """A clock the test moves by hand: timers fire when it passes their time, not on threads."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pending: list[list] = []  # [due time, action, cancelled]

    def timer(self, seconds, action):
        entry = [self.now + seconds, action, False]
        self.pending.append(entry)

        class Handle:
            def cancel(self) -> None:
                entry[2] = True

        return Handle()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [e for e in self.pending if e[0] <= self.now and not e[2]]
        self.pending = [e for e in self.pending if e not in due and not e[2]]
        for _, action, _ in due:
            action()


def test_dragging_a_slider_runs_one_update_after_the_debounce(small_sample):
    clock = FakeClock()
    explorer = fl.widgets.Explorer(small_sample, debounce_s=0.2, timer=clock.timer)
    assert explorer.updates == 1  # the first draw
    for value in (0.1, 0.2, 0.3, 0.4, 0.5):  # a drag: five changes, 0.05 s apart
        explorer.weights["value"].value = value
        clock.advance(0.05)
    assert explorer.updates == 1  # still dragging: nothing redrawn yet
    clock.advance(0.2)
    assert explorer.updates == 2  # one update after the drag stopped
    assert explorer.result is not None and explorer.weights["value"].value == 0.5
    clock.advance(10)
    assert explorer.updates == 2  # the cancelled timers never fire


def test_the_default_timer_runs_the_update_on_a_thread(small_sample):
    done = threading.Event()
    explorer = fl.widgets.Explorer(small_sample, debounce_s=0.05)
    original = explorer.update
    explorer.update = lambda: (original(), done.set())  # type: ignore[method-assign]
    explorer.weights["value"].value = 0.9
    assert done.wait(timeout=30)
    assert explorer.updates == 2


def test_a_family_beyond_the_seeds_three_gets_its_own_slider(small_sample):
    explorer = fl.widgets.Explorer(small_sample, debounce_s=0, weights="quality=1")
    assert list(explorer.weights) == ["value", "growth", "momentum", "quality"]
    assert explorer.weights["quality"].value == 1.0 and explorer.weights["value"].value == 0.0
    assert "quality_score" in explorer.table.columns
