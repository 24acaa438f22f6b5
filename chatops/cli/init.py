"""`chatops init`: write chatops.yaml (project, backend, one entry per stack) from a template.

Prompts with defaults when a human is at the terminal; every value is also a flag so scripts and CI
never block (`--yes` or no terminal: no prompt at all). The result is validated with the same strict
model every other command reads, before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import click
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import ValidationError

from chatops.cli.common import PROFILE_REF, examples
from chatops.errors import ChatopsError, UsageError
from chatops.model.config_file import ConfigError, config_path as default_config_path, load_config
from chatops.model.loading import builtin_templates_dir, format_validation_errors, load_profile, resolve_tier_name
from chatops.model.settings import Auth0, ChatopsConfig
from chatops.ui.changes import is_interactive
from chatops.ui.console import console

DEFAULTS = {"project": "chat", "stack": "prod", "profile": "10k-dau", "region": "us-east-1"}


@click.command(epilog=examples(
    "chatops init",
    "chatops init --yes --project chat --stack prod --profile 10k-dau --region eu-central-1 "
    "--domain chat.example.com --hosted-zone-id Z123EXAMPLE",
    "chatops init --yes --stack staging --profile 1k --region eu-central-1 --domain staging.example.com "
    "--hosted-zone-id Z123EXAMPLE   # adds a stack"))
@click.option("--config", "config_file", type=click.Path(dir_okay=False), envvar="CHATOPS_CONFIG",
              help="File to write (default: ./chatops.yaml).")
@click.option("--project", help="Project name (lower-case, part of every resource name).")
@click.option("--stack", "stack_name", help="Stack name, e.g. prod or staging.")
@click.option("--profile", "-p", "profile_ref", type=PROFILE_REF, metavar="TIER|FILE",
              help="Tier (e.g. 10k-dau) or profile file.")
@click.option("--region", help="AWS region, e.g. eu-central-1.")
@click.option("--domain", help="Domain; the api is served at api.<domain>.")
@click.option("--hosted-zone-id", help="Route 53 hosted zone id of the domain (DNS validation, api record).")
@click.option("--certificate-arn", help="An existing ACM certificate instead of a DNS-validated one.")
@click.option("--auth0-domain", help="Auth0 tenant domain.")
@click.option("--auth0-audience", help="Auth0 API audience.")
@click.option("--alert-email", help="Email subscribed to the alarm topic.")
@click.option("--image-tag", metavar="TAG", help="Tag of the images in this stack's own ECR repositories (default: "
              "none until the first `chatops release`; prod repositories refuse to overwrite a tag, so never latest).")
@click.option("--image-api", metavar="REPO:TAG", help="api image from another registry: REPO:TAG or REPO@sha256:... "
              "(or :TAG for this stack's ECR repository).")
@click.option("--image-realtime", metavar="REPO:TAG", help="realtime image.")
@click.option("--image-workers", metavar="REPO:TAG", help="workers image.")
@click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Extra tag on every resource (repeatable).")
@click.option("--backend", help="State backend URL (s3://bucket/prefix, https://api.pulumi.com); default local.")
@click.option("--yes", "-y", is_flag=True, help="Do not prompt; use flags and defaults.")
@click.option("--force", is_flag=True, help="Overwrite an existing stack entry (or an unreadable file).")
def init(config_file: Optional[str], project: Optional[str], stack_name: Optional[str], profile_ref: Optional[str],
         region: Optional[str], domain: Optional[str], hosted_zone_id: Optional[str], certificate_arn: Optional[str],
         auth0_domain: Optional[str], auth0_audience: Optional[str], alert_email: Optional[str],
         image_tag: Optional[str], image_api: Optional[str], image_realtime: Optional[str],
         image_workers: Optional[str], tags: tuple[str, ...], backend: Optional[str], yes: bool,
         force: bool) -> None:
    """Write chatops.yaml, or add a stack to an existing one."""
    path = default_config_path(config_file)
    existing = _existing_config(path, force)
    ask = not yes and is_interactive()
    values = {"project": project or (existing.project if existing else None), "stack": stack_name,
              "profile": profile_ref, "region": region, "domain": domain, "hosted_zone_id": hosted_zone_id,
              "auth0_domain": auth0_domain, "auth0_audience": auth0_audience}
    given = {key for key, value in values.items() if value is not None}
    values = _fill(values, ask, existing)
    values["profile"] = canonical_profile(values["profile"])
    if existing and existing.project != values["project"]:
        raise ChatopsError(f"{path}: project is {existing.project!r}; a file holds one project, so drop --project "
                           "or use another --config")
    name = values["stack"]
    if existing and name in existing.stacks and not force:
        raise ChatopsError(f"{path}: stack {name!r} already exists; rerun with --force to replace it")
    _check_domain_free(existing, name, values["domain"], path)
    entry = _entry(values, certificate_arn, values["auth0_domain"], values["auth0_audience"], alert_email,
                   image_entries(image_tag, {"api": image_api, "realtime": image_realtime, "workers": image_workers}),
                   tags)
    data = _merge(existing, values["project"], backend, name, entry)
    config = _validate(data, path)
    _write(path, render_config(config))
    _report(path, config, name, given, existed=existing is not None)


def _report(path: Path, config: ChatopsConfig, name: str, given: set[str], existed: bool) -> None:
    """Name what was generated: the file, the stack's settings and which were defaults or placeholders."""
    entry = config.stacks[name]
    out = console()
    out.print(f"{'Updated' if existed else 'Wrote'} {path}: stack [bold]{name}[/bold] of project {config.project}")
    for key, value in (("profile", entry.profile), ("region", entry.region), ("domain", entry.domain),
                       ("hosted_zone_id", entry.hosted_zone_id), ("certificate_arn", entry.certificate_arn)):
        if value:
            out.print(f"  {key}: {value}" + ("" if key in given or key in ("certificate_arn",) else "  (default)"),
                      markup=False)
    placeholder = Auth0()
    if entry.auth0.domain == placeholder.domain or entry.auth0.audience == placeholder.audience:
        out.print("  auth0: placeholders; set auth0.domain and auth0.audience before `chatops up` (doctor fails "
                  "until then)", markup=False)
    out.print(f"  state: {config.backend or '.chatops/state beside ' + path.name + ' (local file backend)'}",
              markup=False)
    if len(entry.images.model_dump(exclude_none=True, exclude_defaults=True)) < 3:
        out.print("  images: not released yet; the first `up` creates the image repositories and prints the "
                  f"`docker push` commands, then `chatops release --stack {name} --tag TAG` deploys them", markup=False)
    out.print(f"Next: `chatops doctor --stack {name}`, then `chatops up --stack {name}`. A CI workflow: "
              f"`chatops runbook --workflow --stack {name} --output .github/workflows/deploy-{name}.yml`.")


def _check_domain_free(existing: Optional[ChatopsConfig], name: str, domain: str, path: Path) -> None:
    """Another stack's domain is a mistake on the command line (exit 2 naming --domain), caught before the
    file's model validation would word it as a whole-file problem (ChatopsConfig._one_domain_per_stack)."""
    others = [other for other, entry in (existing.stacks.items() if existing else ()) if other != name
              and entry.domain == domain]
    if others:
        raise UsageError(f"--domain {domain}: stack {others[0]} in {path} already uses it (api.<domain> is each "
                         "stack's public host and DNS record); give this stack its own, e.g. --domain "
                         f"{name}.{domain}")


def _existing_config(path: Path, force: bool) -> Optional[ChatopsConfig]:
    if not path.exists():
        return None
    try:
        return load_config(str(path))[0]
    except ConfigError as exc:
        if force:
            return None
        raise ChatopsError(f"{path} exists and is not a valid chatops.yaml ({exc.problems[0]}); fix it, or "
                           "rerun with --force to overwrite it") from None


def _fill(values: dict[str, Optional[str]], ask: bool, existing: Optional[ChatopsConfig]) -> dict[str, Any]:
    """Prompt for what is missing (when a human is there), else use defaults; domain has none."""
    filled: dict[str, Any] = dict(values)
    for key, default in DEFAULTS.items():
        if filled[key] is None:
            if key == "stack" and existing:
                default = "staging" if "prod" in existing.stacks else default
            filled[key] = click.prompt(key.capitalize(), default=default) if ask else default
    if filled["domain"] is None:
        if not ask:
            raise click.UsageError("--domain is required (e.g. --domain chat.example.com)")
        filled["domain"] = click.prompt("Domain (the api is served at api.<domain>)")
    if filled["hosted_zone_id"] is None and ask:
        filled["hosted_zone_id"] = click.prompt("Route 53 hosted zone id (empty if you pass --certificate-arn)",
                                                default="", show_default=False) or None
    for key, question in (("auth0_domain", "Auth0 tenant domain, e.g. acme.eu.auth0.com"),
                          ("auth0_audience", "Auth0 API audience, e.g. https://api.acme.io")):
        if filled[key] is None and ask:
            filled[key] = click.prompt(f"{question} (empty: a placeholder; `chatops doctor` fails until set)",
                                       default="", show_default=False) or None
    return filled


def canonical_profile(ref: str) -> str:
    """'10k' -> '10k-dau'; a file must load as a profile now, not at the first `up`."""
    tier = resolve_tier_name(ref)
    if tier is not None:
        return tier
    load_profile(ref)  # raises ProfileError naming the file and field
    return ref


def _entry(values: dict[str, Any], certificate_arn: Optional[str], auth0_domain: Optional[str],
           auth0_audience: Optional[str], alert_email: Optional[str], images: dict[str, dict[str, str]],
           tags: tuple[str, ...]) -> dict[str, Any]:
    entry: dict[str, Any] = {"profile": values["profile"], "region": values["region"], "domain": values["domain"],
                             "images": images}
    for key, value in (("hosted_zone_id", values["hosted_zone_id"]), ("certificate_arn", certificate_arn),
                       ("alert_email", alert_email)):
        if value:
            entry[key] = value
    auth0 = {k: v for k, v in (("domain", auth0_domain), ("audience", auth0_audience)) if v}
    if auth0:
        entry["auth0"] = auth0
    entry["tags"] = parse_tags(tags)
    return entry


def image_entries(image_tag: Optional[str], images: dict[str, Optional[str]]) -> dict[str, dict[str, str]]:
    """chatops.yaml `images`: --image-<service> where given, else --image-tag for this stack's ECR, else no tag
    (nothing is released yet: `up` stops with the push commands, `release` sets the tag)."""
    entries = {service: parse_image(ref, service) for service, ref in images.items() if ref}
    if image_tag is not None:
        entries = {**{service: {"tag": image_tag} for service in images}, **entries}
    return entries


def parse_image(ref: str, service: str) -> dict[str, str]:
    """--image-<service>: 'ghcr.io/acme/api:1.2.3' -> repository + tag; 'REPO@sha256:...' pins a digest; a bare
    ':1.2.3' keeps the stack's ECR repository. Outside ECR the tag must name one build (chatops cannot
    resolve it to a digest). Every entry names a tag or a digest."""
    from chatops.model.images import external_problem, image_source
    from chatops.model.settings import ImageRef

    flag = f"--image-{service}"
    name, _, digest = ref.partition("@")
    repository, sep, tag = name.rpartition(":")
    if not sep or "/" in tag:  # no tag, or the colon was a registry port (host:5000/repo)
        repository, tag = name, ""
    entry = {k: v for k, v in (("repository", repository), ("tag", tag), ("digest", digest)) if v}
    if not (tag or digest):
        raise UsageError(f"{flag} {ref}: give the tag (REPO:TAG or :TAG) or the digest (REPO@sha256:...)")
    try:
        # Only the kind of registry matters here, not the stack's own repository name.
        source = image_source(service, ImageRef(**entry), "project", "stack", "us-east-1")
    except ValidationError:
        raise UsageError(f"{flag} {ref}: not an image reference; use REPO:TAG, REPO@sha256:<64 hex> or :TAG") from None
    problem = external_problem(source)
    if problem:
        raise UsageError(f"{flag} {ref}: " + problem.split(": ", 1)[1])
    return entry


def parse_tags(pairs: tuple[str, ...]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--tag {pair!r}: use KEY=VALUE (e.g. --tag team=chat)")
        tags[key] = value
    return tags


def _merge(existing: Optional[ChatopsConfig], project: str, backend: Optional[str], name: str,
           entry: dict[str, Any]) -> dict[str, Any]:
    """The new file's data: the existing stacks (kept as they are) plus this one."""
    stacks = {k: v.model_dump(exclude_defaults=True) for k, v in existing.stacks.items()} if existing else {}
    stacks[name] = entry
    chosen_backend = backend or (existing.backend if existing else None)
    data: dict[str, Any] = {"project": project, "stacks": stacks}
    if chosen_backend:
        data["backend"] = chosen_backend
    return data


def _validate(data: dict[str, Any], path: Path) -> ChatopsConfig:
    try:
        return ChatopsConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([f"{path}: {line}" for line in format_validation_errors(exc)]) from None


def render_config(config: ChatopsConfig) -> str:
    env = Environment(loader=FileSystemLoader(str(builtin_templates_dir())), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["q"] = lambda value: json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string
    return env.get_template("chatops.yaml.j2").render(project=config.project, backend=config.backend,
                                                      stacks=config.stacks)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # never a half-written chatops.yaml
