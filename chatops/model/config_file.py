"""Find and read chatops.yaml; pick the stack a command acts on.

Reading is allowed in model/ (no writes): errors name the file and the field, every problem at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from pydantic import ValidationError

from chatops.errors import ChatopsError
from chatops.model.loading import format_validation_errors, read_yaml_mapping
from chatops.model.settings import ChatopsConfig

CONFIG_FILE_NAME = "chatops.yaml"


class ConfigError(ChatopsError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def config_path(explicit: Optional[str] = None) -> Path:
    """--config, else CHATOPS_CONFIG, else chatops.yaml in the current directory or the nearest parent
    that has one (as git finds .git), else ./chatops.yaml (which `init` creates)."""
    chosen = explicit or os.environ.get("CHATOPS_CONFIG")
    if chosen:
        return Path(chosen)
    return find_config() or Path(CONFIG_FILE_NAME)


def find_config(start: Optional[Path] = None) -> Optional[Path]:
    """The chatops.yaml of the current directory or its nearest parent, or None."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate if directory != here else Path(CONFIG_FILE_NAME)
    return None


def config_in_use(explicit: Optional[str] = None) -> Optional[Path]:
    """The chatops.yaml that settings come from: --config or CHATOPS_CONFIG (which must then exist), else
    the one found from the current directory up, else None (offline commands then use their defaults)."""
    if explicit or os.environ.get("CHATOPS_CONFIG"):
        return config_path(explicit)
    return find_config()


def load_config(explicit: Optional[str] = None) -> tuple[ChatopsConfig, Path]:
    path = config_path(explicit)
    if not path.exists():
        raise ConfigError([f"{path}: not found; run `chatops init` here, or pass --config PATH"])
    data = read_yaml_mapping(path, ConfigError)
    try:
        return ChatopsConfig.model_validate(data), path
    except ValidationError as exc:
        raise ConfigError([f"{path}: {line}" for line in format_validation_errors(exc)]) from None


def select_stack(config: ChatopsConfig, stack: Optional[str], path: Path) -> str:
    """--stack, else CHATOPS_STACK, else the only stack in the file."""
    chosen = stack or os.environ.get("CHATOPS_STACK")
    if chosen:
        if chosen not in config.stacks:
            raise ConfigError([f"{path}: no stack named {chosen!r}; stacks: {', '.join(config.stacks)}"])
        return chosen
    if len(config.stacks) == 1:
        return next(iter(config.stacks))
    raise ConfigError([f"{path}: several stacks ({', '.join(config.stacks)}); choose one with --stack or "
                       "CHATOPS_STACK"])
