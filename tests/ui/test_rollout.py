"""The rollout display: one line per change outside a terminal, a live table in one."""

from __future__ import annotations

from chatops.aws.rollout import Change, RolloutResult, RolloutWatch, ServiceRollout, ServiceTarget, StoppedTask
from chatops.ui import rollout as ui

PULL = "CannotPullContainerError: pull image manifest has been retried 7 time(s): not found"


def _changes() -> list[Change]:
    state = ServiceRollout("api", "chat-prod-api", "in_progress", running=1, desired=2, pending=1,
                           rollout_state="IN_PROGRESS")
    return [Change("api", "state", state=state),
            Change("api", "event", message="(service chat-prod-api) has started 1 tasks: (task a1)."),
            Change("api", "stopped", task=StoppedTask("a1", "TaskFailedToStart", PULL, (("api", None, ""),))),
            Change("api", "stopped", task=StoppedTask("b2", "EssentialContainerExited",
                                                      "Essential container in task exited", (("api", 137, "OOM"),))),
            Change("", "poll_error", message="ecs DescribeServices: throttled")]


def test_texts():
    lines = [ui.change_text(c) for c in _changes()]
    assert lines[0] == "api: 1/2 running, 1 pending, IN_PROGRESS"
    assert lines[2] == f"api: task a1 stopped (TaskFailedToStart): {PULL}"
    assert lines[3].endswith("Essential container in task exited; container api exit 137: OOM")
    assert lines[4] == "poll failed: ecs DescribeServices: throttled"
    failed = ServiceRollout("api", "n", "failed", running=2, desired=2, rollout_state="COMPLETED", reason="rolled back")
    assert ui.state_text(failed) == "FAILED (2/2 running, COMPLETED): rolled back"


def test_lines_outside_a_terminal(capsys):
    watch = RolloutWatch([ServiceTarget("api", "chat-prod-api")])
    with ui.RolloutDisplay("prod", 1200, lines=True) as display:
        display(_changes(), watch)
    out = capsys.readouterr().out
    assert "at most 20 min" in out
    body = [line for line in out.splitlines() if line.startswith("[")]
    assert len(body) == 5 and body[0].endswith("] api: 1/2 running, 1 pending, IN_PROGRESS")


def test_live_table_in_a_terminal(capsys):
    watch = RolloutWatch([ServiceTarget("api", "chat-prod-api")])
    changes = _changes()
    watch.states["api"] = changes[0].state
    with ui.RolloutDisplay("prod", 600, lines=False) as display:
        display(changes, watch)
    out = capsys.readouterr().out
    assert "Service" in out and "1/2" in out and "IN_PROGRESS" in out  # the table
    assert "task a1 stopped (TaskFailedToStart)" in out  # printed above it
    assert "api: 1/2 running" not in out  # states are in the table, not repeated as lines


def test_result_lines(capsys):
    steady = ServiceRollout("api", "n", "steady", running=2, desired=2)
    slow = ServiceRollout("workers", "w", "in_progress", running=0, desired=1)
    ui.show_rollout_result(RolloutResult("timeout", [steady, slow], 1200))
    ui.show_rollout_result(RolloutResult("steady", [steady], 42))
    out = capsys.readouterr().out
    assert "Still rolling out after 1200s: workers 0/1." in out and "All services are steady (42s)." in out
