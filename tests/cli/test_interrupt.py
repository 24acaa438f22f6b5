"""Ctrl-C during an update: chatops runs as a real process, SIGINT goes to its whole process group (as a
terminal's Ctrl-C does), and the Pulumi CLI double handles it as the engine does (first SIGINT: cancel and
finish what is in flight; second: terminate at once, leaving the lock)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.support.json_schemas import assert_valid
from tests.support.pulumi_double.harness import FILE_VERSION, GRPC_VERSION, goal

STEP_SECONDS = 1.5


def _resources(count: int = 4) -> list[dict]:
    return [{"urn": f"urn:pulumi:prod::chat::aws:sqs/queue:Queue::q{i}", "type": "aws:sqs/queue:Queue",
             "inputs": {"name": f"chat-prod-q{i}"}} for i in range(count)]


class Chatops:
    """`python -m chatops ...` in its own process group, its output read as it comes."""

    def __init__(self, project, *args: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "chatops", *args], cwd=project.dir,
                                        env={**project.double.env(), "CHATOPS_DEBUG": ""}, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(self.process.stdout, self.stdout), daemon=True),
                         threading.Thread(target=self._read, args=(self.process.stderr, self.stderr), daemon=True)]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in iter(stream.readline, ""):
            lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(text in line for line in self.stdout + self.stderr):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"never saw {text!r}; stdout={self.stdout} stderr={self.stderr}")

    def ctrl_c(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)  # the process group, as a terminal does

    def signal(self, signum: int, group: bool) -> None:
        """`group`: the whole process group (a runner killing the job's tree); else chatops alone (`docker stop`
        signalling PID 1, `kill PID`)."""
        if group:
            os.killpg(self.process.pid, signum)
        else:
            os.kill(self.process.pid, signum)

    def finish(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(5)
        return code

    @property
    def err(self) -> str:
        return "\n".join(self.stderr)


@pytest.fixture
def slow_project(deploy_project):
    deploy_project.double.scenario(goals=[goal(_resources())], step_seconds=STEP_SECONDS)
    return deploy_project


@pytest.mark.parametrize("version", [FILE_VERSION, GRPC_VERSION], ids=["event-log-file", "grpc-stream"])
def test_first_ctrl_c_waits_for_pulumi_to_cancel_cleanly(slow_project, version) -> None:
    slow_project.double.scenario(version=version)
    chatops = Chatops(slow_project, "up", "--stack", "prod", "--yes")
    # Outside a terminal, each resource event is printed as it happens: the update is visibly running.
    chatops.wait_for("create aws:sqs/queue:Queue q0: started")
    chatops.ctrl_c()
    code = chatops.finish()
    assert code == 130, chatops.err
    assert "Pulumi is cancelling the update of stack prod" in chatops.err  # said at once, then kept waiting
    assert "Ctrl-C during the update of stack prod" in chatops.err
    assert "the update may have completed or stopped part-way" in chatops.err
    assert "`chatops preview --stack prod` shows what is left to do" in chatops.err
    assert "Traceback" not in chatops.err and "Exception in thread" not in chatops.err
    # Pulumi finished the operation in flight, started nothing else, saved it and released its lock.
    state = slow_project.state()
    assert "urn:pulumi:prod::chat::aws:sqs/queue:Queue::q0" in state
    assert "urn:pulumi:prod::chat::aws:sqs/queue:Queue::q3" not in state
    assert not slow_project.backend.locks("prod")
    assert any("q0: done" in line for line in chatops.stdout)


def test_second_ctrl_c_stops_waiting_with_the_exact_next_steps(slow_project) -> None:
    slow_project.double.scenario(version=GRPC_VERSION)
    chatops = Chatops(slow_project, "up", "--stack", "prod", "--yes")
    chatops.wait_for("q0: started")
    chatops.ctrl_c()
    chatops.wait_for("Pulumi is cancelling")
    chatops.ctrl_c()
    code = chatops.finish()
    assert code == 130, chatops.err
    assert "stopped waiting for the update of stack prod" in chatops.err
    err = " ".join(chatops.stderr)
    assert "1) `chatops unlock --stack prod` 2) `chatops refresh --stack prod`" in err
    assert "`chatops refresh --stack prod --clear-pending-creates`" in err and "3) `chatops preview --stack prod`" in err
    assert "Traceback" not in chatops.err and "Exception in thread" not in chatops.err
    assert slow_project.backend.locks("prod")  # Pulumi was terminated: its lock is still there
    # ... the create in flight is pending in the state (its result was never recorded) ...
    assert [(op["type"], op["resource"]["urn"].rsplit("::", 1)[-1])
            for op in slow_project.backend.pending_operations("prod")] == [("creating", "q0")]
    # ... and the next steps work, in that order.
    assert slow_project.run("refresh", "--stack", "prod", "--yes").exit_code == 1  # locked
    assert slow_project.run("unlock", "--stack", "prod", "--yes").exit_code == 0
    slow_project.double.scenario(step_seconds=0)
    refreshed = slow_project.run("refresh", "--stack", "prod", "--yes", "--json")
    assert refreshed.exit_code == 0, refreshed.output
    assert "creating aws:sqs/queue:Queue q0 (AWS name chat-prod-q0)" in refreshed.stderr
    assert "cannot resolve the 1 pending create(s)" in refreshed.stderr and "Still pending" in refreshed.stderr
    assert len(slow_project.backend.pending_operations("prod")) == 1  # a plain refresh skips pending creates
    report = json.loads(refreshed.stdout)
    assert_valid("refresh", report)
    q0 = {"urn": "urn:pulumi:prod::chat::aws:sqs/queue:Queue::q0", "type": "aws:sqs/queue:Queue",
          "operation": "creating", "physical_name": "chat-prod-q0"}
    assert report["ok"] and report["pending_operations"] == [q0] and report["still_pending_creates"] == [q0]
    assert report["cleared_pending_creates"] is False
    cleared = slow_project.run("refresh", "--stack", "prod", "--yes", "--clear-pending-creates", "--json")
    assert cleared.exit_code == 0, cleared.output
    assert slow_project.backend.pending_operations("prod") == [] and "Still pending" not in cleared.stderr
    report = json.loads(cleared.stdout)
    assert_valid("refresh", report)
    assert report["cleared_pending_creates"] is True and report["still_pending_creates"] == []
    refreshes = [c["argv"] for c in slow_project.double.calls() if "refresh" in c["argv"]]
    assert "--clear-pending-creates" in refreshes[-1] and "--clear-pending-creates" not in refreshes[-2]


@pytest.mark.parametrize("command", [["refresh", "--yes"], ["destroy", "--yes", "--confirm", "prod"]],
                         ids=["refresh", "destroy"])
def test_refresh_and_destroy_cancel_cleanly_too(slow_project, command) -> None:
    slow_project.seed(_resources(), "50k-dau")
    chatops = Chatops(slow_project, *command, "--stack", "prod")
    chatops.wait_for("q0: started" if command[0] == "refresh" else "q3: started")
    chatops.ctrl_c()
    code = chatops.finish()
    what = "refresh" if command[0] == "refresh" else "destroy"
    assert code == 130, chatops.err
    assert f"Pulumi is cancelling the {what} of stack prod" in chatops.err
    assert f"Ctrl-C during the {what} of stack prod" in chatops.err and "may have completed" in chatops.err
    assert "Traceback" not in chatops.err
    assert not slow_project.backend.locks("prod")
    if what == "destroy":
        assert len(slow_project.state()) > 1  # stopped after the resource in flight


def test_ctrl_c_during_the_targeted_update_of_destroy_unprotect(deploy_project) -> None:
    alb = "urn:pulumi:prod::chat::chatops:alb:LoadBalancer$aws:lb/loadBalancer:LoadBalancer::alb"
    protected = {"urn": alb, "type": "aws:lb/loadBalancer:LoadBalancer",
                 "inputs": {"name": "chat-prod-alb", "enableDeletionProtection": True}}
    deploy_project.seed([protected] + _resources(2), "50k-dau")
    relaxed = dict(protected, inputs={"name": "chat-prod-alb", "enableDeletionProtection": False})
    deploy_project.double.scenario(goals=[goal([relaxed] + _resources(2), {"chatops:destroying": "true"})],
                                   slow={alb: 3.0})
    chatops = Chatops(deploy_project, "destroy", "--stack", "prod", "--unprotect", "--yes", "--confirm", "prod")
    chatops.wait_for("update aws:lb/loadBalancer:LoadBalancer alb: started")
    chatops.ctrl_c()
    code = chatops.finish()
    assert code == 130, chatops.err
    assert "Pulumi is cancelling the update of stack prod" in chatops.err
    assert "Ctrl-C during the update of stack prod" in chatops.err
    assert "Traceback" not in chatops.err
    assert "destroy" not in deploy_project.double.commands()  # nothing was deleted
    assert len(deploy_project.state()) == 4


# -- a Ctrl-C that Pulumi survives, or that lands after the operation: the command still stops ----------------

def _protected_alb(project):
    alb = "urn:pulumi:prod::chat::chatops:alb:LoadBalancer$aws:lb/loadBalancer:LoadBalancer::alb"
    protected = {"urn": alb, "type": "aws:lb/loadBalancer:LoadBalancer", "protect": True,
                 "inputs": {"name": "chat-prod-alb", "enableDeletionProtection": True}}
    project.seed([protected] + _resources(2), "50k-dau")
    relaxed = dict(protected, inputs={"name": "chat-prod-alb", "enableDeletionProtection": False})
    project.double.scenario(goals=[goal([relaxed] + _resources(2), {"chatops:destroying": "true"})],
                            slow={alb: 3.0}, late_sigint=True)
    return alb


def test_destroy_unprotect_stops_after_a_ctrl_c_that_pulumi_survived(deploy_project) -> None:
    # The Ctrl-C lands during the targeted update's last step: Pulumi finishes it and exits 0. chatops must
    # not go on to `state unprotect --all` and the destroy the user just tried to stop.
    _protected_alb(deploy_project)
    chatops = Chatops(deploy_project, "destroy", "--stack", "prod", "--unprotect", "--yes", "--confirm", "prod")
    chatops.wait_for("update aws:lb/loadBalancer:LoadBalancer alb: started")
    chatops.ctrl_c()
    code = chatops.finish()
    assert code == 130, chatops.err
    assert "Ctrl-C during the update of stack prod" in chatops.err and "may have completed" in chatops.err
    commands = deploy_project.double.commands()
    assert "up" in commands and "state unprotect" not in commands and "destroy" not in commands
    assert len(deploy_project.state()) == 4
    assert all(r.get("protect") for r in deploy_project.state().values() if r["type"].startswith("aws:lb"))


def test_up_yes_does_not_apply_after_a_ctrl_c_during_its_preview(slow_project) -> None:
    slow_project.double.scenario(preview_step_seconds=1.0, late_sigint=True)
    chatops = Chatops(slow_project, "up", "--stack", "prod", "--yes")
    chatops.wait_for("Previewing stack prod")
    time.sleep(0.5)
    chatops.ctrl_c()
    code = chatops.finish()
    assert code == 130, chatops.err
    assert "stopped after the preview of stack prod" in chatops.err and "nothing will be applied" in chatops.err
    assert "up" not in slow_project.double.commands()


def test_a_ctrl_c_after_the_update_finished_does_not_claim_it_was_cancelled(slow_project) -> None:
    # The update finishes; the Ctrl-C lands in the SDK's follow-up `pulumi stack output` (_stack.py up()).
    slow_project.double.scenario(step_seconds=0, command_seconds={"stack output": 5})
    chatops = Chatops(slow_project, "up", "--stack", "prod", "--yes")
    deadline = time.time() + 60
    while "stack output" not in slow_project.double.commands() and time.time() < deadline:
        time.sleep(0.05)
    chatops.ctrl_c()
    code = chatops.finish()
    assert code == 130, chatops.err
    assert "may have completed" in chatops.err and "nothing else was started" not in chatops.err
    assert slow_project.backend.sidecar("prod")["history"][0]["result"] == "succeeded"
    assert len(slow_project.state()) == 5  # the stack and its four queues: the update had finished


# -- SIGTERM and SIGHUP: a cancelled CI job, a closed terminal ------------------------------------------------

@pytest.mark.parametrize("group", [False, True], ids=["chatops-alone", "process-group"])
def test_sigterm_cancels_like_the_first_ctrl_c(slow_project, group) -> None:
    # Alone: chatops keeps waiting and passes the cancel on to Pulumi as a SIGINT. To the group: Pulumi got it
    # too and says so; a SIGINT from chatops on top would be a second signal, terminating Pulumi at once and
    # leaving its lock, so chatops must not send one.
    slow_project.double.scenario(version=GRPC_VERSION)
    chatops = Chatops(slow_project, "up", "--stack", "prod", "--yes")
    chatops.wait_for("create aws:sqs/queue:Queue q0: started")
    chatops.signal(signal.SIGTERM, group)
    code = chatops.finish()
    assert code == 130, chatops.err
    assert "SIGTERM: Pulumi is cancelling the update of stack prod" in chatops.err
    assert "SIGTERM during the update of stack prod" in chatops.err and "may have completed" in chatops.err
    assert "Traceback" not in chatops.err and "terminating" not in "\n".join(chatops.stdout)
    state = slow_project.state()
    assert "urn:pulumi:prod::chat::aws:sqs/queue:Queue::q0" in state  # finished and saved
    assert "urn:pulumi:prod::chat::aws:sqs/queue:Queue::q3" not in state  # nothing new started
    assert not slow_project.backend.locks("prod") and not slow_project.backend.pending_operations("prod")
