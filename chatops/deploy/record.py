"""Recording what an update applied in chatops.yaml: prepared before the update, written after it succeeded.

`PendingRecord.prepare` computes and validates the new text with `model.config_edit.edited_config_text`
before anything touches AWS, so a file that cannot record the change (an anchor shared with another stack,
a value that would not validate) stops the command while nothing has changed. `write` runs only after the
update succeeded; a failed update leaves chatops.yaml as it was, matching the stack's last successful update.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from chatops.model.config_edit import ConfigEditError, KeyPath, edited_config_text


@dataclass(frozen=True)
class PendingRecord:
    path: Path
    stack: str
    updates: Mapping[KeyPath, Any]
    before: str
    after: str

    @classmethod
    def prepare(cls, path: Path, stack: str, updates: Mapping[KeyPath, Any]) -> "PendingRecord":
        """Raises ConfigEditError (one line) when chatops.yaml cannot record `updates`."""
        before = path.read_text(encoding="utf-8")
        return cls(path, stack, dict(updates), before, edited_config_text(before, stack, updates, str(path)))

    def describe(self) -> str:
        return ", ".join(f"stacks.{self.stack}.{'.'.join(p)} = {v}" for p, v in self.updates.items())

    def write(self) -> Optional[str]:
        """Write the prepared text; if the file changed meanwhile, apply the same edit to what is there now.
        Returns a warning (the update is applied either way) when the record could not be written."""
        try:
            current = self.path.read_text(encoding="utf-8")
            text = self.after if current == self.before else edited_config_text(current, self.stack, self.updates,
                                                                               str(self.path))
            _replace(self.path, text)
        except (OSError, ConfigEditError) as exc:
            return (f"the stack was updated but {self.path} could not record it ({exc}); set "
                    f"{self.describe()} by hand")
        return None


def _replace(path: Path, text: str) -> None:
    """Write atomically, keeping the file's permissions."""
    tmp = path.with_name(f".{path.name}.chatops-tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, path.stat().st_mode & 0o7777)
    tmp.replace(path)
