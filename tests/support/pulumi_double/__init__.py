"""A TEST DOUBLE of the Pulumi CLI: a process named `pulumi` that the real `pulumi.automation` SDK drives.

The Pulumi CLI cannot be installed on the machines that run these tests, so chatops's driver would otherwise
only ever be tested against Python fakes of the SDK. This double sits one layer further out, at the process
boundary the SDK itself crosses: the SDK builds real command lines, parses the double's real stdout/stderr
and exit codes into its own `CommandError` classes, receives engine events through the two real transports
(the `--event-log` file for CLI versions <= 3.205, the gRPC `pulumirpc.Events/StreamEvents` stream above),
and parses them with its own `EngineEvent.from_json`. Nothing in chatops is replaced.

What it answers (each handler names in a comment the pulumi/pulumi source it mirrors):
  version, stack select/init/output/history/export, config set-all, plugin install, state unprotect/protect,
  cancel, and preview/up/destroy/refresh, which run a small step generator over the stack's state and the
  scenario's goal resources and replay the engine's events as they happen.

What it keeps between calls, in the file backend directory chatops points it at (PULUMI_BACKEND_URL):
  `.pulumi/stacks/<project>/<stack>.json` (checkpoint: resources with their protect flags and inputs,
  outputs on the root stack), `.pulumi/locks/...` (held during an operation, left behind if it is
  terminated), and a `.double.json` beside the checkpoint (history, passphrase fingerprint). Stack config
  lives in `Pulumi.<stack>.yaml` in the work dir, as with the real CLI.

What it does NOT do (so nothing here proves it): it never runs the inline program (the goal resources come
from the scenario, usually the program's own graph under Pulumi's mock engine), never talks to AWS itself (a
scenario's `effects` may run commands that create a resource in the tests' moto server, standing in for the
provider's call), and mirrors only the engine behaviour listed above. Texts marked "(from memory)" in the handlers could not be
checked against the source and may differ from the real CLI's wording.

Scenario (JSON, path in PULUMI_DOUBLE_SCENARIO, written by the `pulumi_double` fixture): see scenario.py.
"""
