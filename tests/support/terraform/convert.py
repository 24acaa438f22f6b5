"""A `synthesize()` graph -> Terraform JSON configuration, driven by the provider's own schema.

- Type tokens and property names map through `schema.py` (pulumi-terraform-bridge's naming); a block
  with max_items = 1, which Pulumi flattens to one object, goes back into a one-element list.
- Every input must land on an attribute or a block of the provider's schema, or be one of the few
  PULUMI_ONLY inputs below (each with its reason): anything else raises `Unmapped`, never a silent drop.
- A value that came from another resource's output (the engine's propertyDependencies say which
  resources fed an input; the mocks' answers say which output had that value) becomes a Terraform
  reference, inside strings too (policies embed ARNs); every other dependency becomes `depends_on`.
  So Terraform's graph has an edge wherever Pulumi's has one, and a replaced resource makes its
  dependents' inputs unknown exactly as in a Pulumi preview.
- Secrets (the mock export shows only a ciphertext marker) become a stand-in that passes the
  provider's validation. The mock engine runs as an update, not a preview, so it leaves no value
  unknown: an unknown sentinel would be a fidelity bug of the mocks and raises.
- Resources of providers the mirror does not hold (pulumi-random's passwords) are not converted:
  their consumers only ever see them as secrets, which get the stand-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from chatops.infra.synth import SECRET_SIG_KEY
from tests.support.terraform.schema import Block, ProviderSchema, camel

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the Pulumi engine's unknown-value sentinel
#: Printable, 16-128 characters, none of / @ " or space: valid for an RDS master password, an
#: ElastiCache auth token and a Secrets Manager secret string alike. The mock export's ciphertext
#: differs when the value differs, and so does the stand-in, so the provider sees a secret change.
SECRET_STAND_IN = "StandInSecret{digest}"
#: Pulumi-only inputs: (Pulumi type or "*", input) -> why it has no Terraform attribute. Empty today:
#: the mock engine does not auto-name (so no `name` appears that the program did not set). Add an entry
#: only with its reason. (A per-resource `region`, pulumi-aws 7 / provider 6, is not dropped: provider
#: 5.100 places such a resource in its region through a provider alias, `provider_for_region`.)
PULUMI_ONLY: dict[tuple[str, str], str] = {}
#: Non-AWS providers: their resources are left out, with the reason.
OTHER_PROVIDERS = {
    "random": "pulumi-random is not in the Terraform mirror; its passwords reach AWS resources only as "
              "secrets, which get a stand-in",
}
#: Outputs never used to recognise a reference: too generic to say where a value came from.
NOT_IDENTITIES = frozenset({"tags", "tagsAll", "description"})


class Unmapped(AssertionError):
    """An input the provider's schema has no place for."""


@dataclass
class Converted:
    config: dict[str, Any]                                  # {"resource": {type: {name: body}}}
    #: The same resources with every value literal, as the synthesized graph has it (no references,
    #: no depends_on): planning it leaves unknown only what AWS computes, so its planned values are a
    #: deployed state's inputs (state.py), consistent with what the references resolve to.
    literal_config: dict[str, Any] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)  # urn -> "type.name"
    left_out: dict[str, str] = field(default_factory=dict)   # urn -> reason (other providers)

    def urn_of(self, address: str) -> str:
        return {a: u for u, a in self.addresses.items()}[address]


def convert(resources: list[dict[str, Any]], details: dict[str, dict[str, Any]],
            schema: ProviderSchema) -> Converted:
    """The Terraform JSON configuration of one synthesized graph."""
    by_urn = {r["urn"]: r for r in resources}
    result = Converted(config={"resource": {}}, literal_config={"resource": {}})
    for r in resources:
        if not r["custom"]:
            continue
        package = r["type"].split(":")[0]
        if package in OTHER_PROVIDERS:
            result.left_out[r["urn"]] = OTHER_PROVIDERS[package]
        elif package == "aws":
            result.addresses[r["urn"]] = _address(schema.terraform_type(r["type"]), r["urn"], result.addresses)
        else:
            raise Unmapped(f"{r['urn']}: no Terraform provider for package {package!r}")
    children = _children(resources)
    problems = []
    for urn, address in result.addresses.items():
        tf_type, name = address.split(".", 1)
        try:
            body = _Resource(by_urn[urn], details, schema, result.addresses, by_urn, children, True).body()
            literal = _Resource(by_urn[urn], details, schema, result.addresses, by_urn, children, False).body()
        except Unmapped as problem:
            problems.append(str(problem))
            continue
        result.config["resource"].setdefault(tf_type, {})[name] = body
        result.literal_config["resource"].setdefault(tf_type, {})[name] = literal
    if problems:
        raise Unmapped(f"{len(problems)} resource(s) do not map onto the provider's schema:\n" + "\n".join(problems))
    return result


def _address(tf_type: str, urn: str, taken: dict[str, str]) -> str:
    logical = urn.rsplit("::", 1)[1]
    name = re.sub(r"[^A-Za-z0-9_-]", "_", logical)
    if not re.match(r"[A-Za-z_]", name):
        name = f"r_{name}"
    address = f"{tf_type}.{name}"
    if address in taken.values():
        raise Unmapped(f"{urn}: two resources of type {tf_type} are both named {name!r}")
    return address


def _children(resources: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for r in resources:
        if r.get("parent"):
            children.setdefault(r["parent"], []).append(r["urn"])
    return children


def provider_for_region(region: str) -> str:
    """The provider alias (`aws.eu_west_1`) that places a resource in `region`; cli.write_config declares it."""
    return f"aws.{region.replace('-', '_')}"


def alias_region(provider: str) -> str:
    """`aws.eu_west_1` -> `eu-west-1`."""
    return provider.split(".", 1)[1].replace("_", "-")


def escape(text: str) -> str:
    """A literal string in Terraform JSON: every string is a template, so `${` and `%{` are escaped."""
    return text.replace("${", "$${").replace("%{", "%%{")


class _Resource:
    def __init__(self, resource: dict[str, Any], details: dict[str, dict[str, Any]], schema: ProviderSchema,
                 addresses: dict[str, str], by_urn: dict[str, dict[str, Any]],
                 children: dict[str, list[str]], link: bool) -> None:
        self.link = link            # False: literal values only (no references, no depends_on)
        self.resource = resource
        self.urn = resource["urn"]
        self.details = details
        self.detail = details.get(self.urn, {})
        self.schema = schema
        self.addresses = addresses
        self.by_urn = by_urn
        self.children = children
        self.tf_type = addresses[self.urn].split(".")[0]
        self.referenced: set[str] = set()

    # -- dependencies -----------------------------------------------------------------------------

    def _custom(self, urns: Iterable[str]) -> set[str]:
        """Custom resources behind dependency URNs (a component stands for everything under it)."""
        found: set[str] = set()
        for urn in urns:
            r = self.by_urn.get(urn)
            if r is None:
                raise Unmapped(f"{self.urn}: depends on {urn}, which is not in the graph")
            if r["custom"]:
                found.add(urn)
            else:
                found |= self._custom(self.children.get(urn, []))
        return found

    def _identities(self, urns: Iterable[str]) -> list[tuple[str, str, str]]:
        """(value, address, attribute) of every identifying output of these resources, longest first."""
        found = []
        for urn in sorted(self._custom(urns)):
            address = self.addresses.get(urn)
            if address is None:
                continue
            detail_outputs = self._answers(urn)
            block = self.schema.block(address.split(".")[0])
            for key, value in detail_outputs.items():
                if key in NOT_IDENTITIES or not isinstance(value, str) or len(value) < 3:
                    continue
                attribute = "id" if key == "id" else block.terraform_name(key)
                if attribute is None or attribute not in block.attributes:
                    continue
                found.append((value, address, attribute))
        return sorted(found, key=lambda f: (-len(f[0]), f[2] != "id", f[1], f[2]))

    def _answers(self, urn: str) -> dict[str, Any]:
        detail = self.details.get(urn, {})
        return {"id": detail.get("id"), **(detail.get("outputs") or {})}

    # -- the body ---------------------------------------------------------------------------------

    def body(self) -> dict[str, Any]:
        inputs = self.resource.get("inputs") or {}
        property_deps = self.detail.get("propertyDependencies") or {}
        block = self.schema.block(self.tf_type)
        body: dict[str, Any] = {}
        for key, value in inputs.items():
            if (self.resource["type"], key) in PULUMI_ONLY or ("*", key) in PULUMI_ONLY:
                continue
            if key == "region" and block.terraform_name(key) is None:
                # pulumi-aws 7 puts one resource in another region with its own `region` argument
                # (provider 6); provider 5.100 does it with a provider alias for that region.
                body["provider"] = provider_for_region(value)
                continue
            name = block.terraform_name(key)
            if name is None:
                raise Unmapped(f"{self.urn}: input {key!r} has no attribute or block in {self.tf_type}")
            identities = self._identities(property_deps.get(key, []))
            converted = self._value(value, block, name, identities, f"{key}")
            if converted is not None:
                body[name] = converted
        all_deps = self._custom(self.resource.get("dependencies") or [])
        for deps in property_deps.values():
            all_deps |= self._custom(deps)
        unreferenced = sorted(self.addresses[u] for u in all_deps
                              if u in self.addresses and self.addresses[u] not in self.referenced)
        if unreferenced and self.link:
            body["depends_on"] = unreferenced
        ignore = [self._ignore_name(block, key) for key in self.detail.get("ignoreChanges") or []]
        if ignore:
            body["lifecycle"] = {"ignore_changes": ignore}
        return body

    def _ignore_name(self, block: Block, key: str) -> str:
        name = block.terraform_name(key)
        if name is None:
            raise Unmapped(f"{self.urn}: ignoreChanges names {key!r}, which is not in {self.tf_type}")
        return name

    def _value(self, value: Any, block: Block, name: str, identities: list, path: str) -> Any:
        if name in block.attributes:
            spec = block.attributes[name]
            if "nested_type" in spec:
                return self._nested_attribute(value, spec["nested_type"], block, name, identities, path)
            return self._typed(value, spec["type"], identities, path)
        nested = block.block_types[name]
        inner = block.nested(name)
        mode = nested["nesting_mode"]
        if mode in ("single", "group"):
            return self._body(value, inner, identities, path)
        if mode in ("list", "set"):
            # One object: a block Pulumi flattens (max_items = 1, or a plugin-framework list the
            # bridge marks max-items-one because the provider validates its size to at most one).
            items = value if isinstance(value, list) else [value]
            return [self._body(item, inner, identities, f"{path}[{i}]") for i, item in enumerate(items)]
        if mode == "map":
            return {escape(k): self._body(v, inner, identities, f"{path}.{k}") for k, v in value.items()}
        raise Unmapped(f"{self.urn}: {path}: nesting mode {mode} is not handled")

    def _body(self, value: Any, block: Block, identities: list, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Unmapped(f"{self.urn}: {path} should be an object for {block.path}, got {value!r}")
        body = {}
        for key, item in value.items():
            name = block.terraform_name(key)
            if name is None:
                raise Unmapped(f"{self.urn}: {path}.{key} has no attribute or block in {block.path}")
            converted = self._value(item, block, name, identities, f"{path}.{key}")
            if converted is not None:
                body[name] = converted
        return body

    def _nested_attribute(self, value: Any, nested: dict[str, Any], block: Block, name: str,
                          identities: list, path: str) -> Any:
        inner = Block(block.tf_type, f"{block.path}.{name}", {"attributes": nested["attributes"]})
        mode = nested["nesting_mode"]
        if mode == "single":
            return self._body(value, inner, identities, path)
        if mode in ("list", "set"):
            items = value if isinstance(value, list) else [value]
            return [self._body(item, inner, identities, f"{path}[{i}]") for i, item in enumerate(items)]
        return {escape(k): self._body(v, inner, identities, f"{path}.{k}") for k, v in value.items()}

    def _typed(self, value: Any, tf_type: Any, identities: list, path: str) -> Any:
        if value is None:
            return None
        if isinstance(value, dict) and SECRET_SIG_KEY in value:
            return SECRET_STAND_IN.format(digest=re.sub(r"[^A-Za-z0-9]", "", str(value.get("ciphertext"))))
        if tf_type == "string":
            if isinstance(value, (dict, list)):
                raise Unmapped(f"{self.urn}: {path} is {type(value).__name__} but the provider wants a string")
            return self._string(value if isinstance(value, str) else _scalar_text(value), identities, path)
        if tf_type in ("number", "bool"):
            if isinstance(value, (dict, list)):
                raise Unmapped(f"{self.urn}: {path} is {type(value).__name__} but the provider wants a {tf_type}")
            return value
        if tf_type == "dynamic":
            return value
        kind, inner = tf_type[0], tf_type[1]
        if kind in ("list", "set"):
            items = value if isinstance(value, list) else [value]   # a max-items-1 list Pulumi flattened
            return [self._typed(v, inner, identities, f"{path}[{i}]") for i, v in enumerate(items)]
        if kind == "map":
            if not isinstance(value, dict):
                raise Unmapped(f"{self.urn}: {path} should be a map")
            return {escape(k): self._typed(v, inner, identities, f"{path}.{k}") for k, v in value.items()}
        if kind == "object":
            if not isinstance(value, dict):
                raise Unmapped(f"{self.urn}: {path} should be an object")
            table = {camel(n): n for n in inner}
            out = {}
            for key, item in value.items():
                attribute = table.get(key)
                if attribute is None:
                    raise Unmapped(f"{self.urn}: {path}.{key} is not an attribute of the object {sorted(inner)}")
                out[attribute] = self._typed(item, inner[attribute], identities, f"{path}.{key}")
            return out
        raise Unmapped(f"{self.urn}: {path}: type {tf_type!r} is not handled")

    def _string(self, text: str, identities: list, path: str) -> str:
        if UNKNOWN in text:
            raise Unmapped(f"{self.urn}: {path} is unknown under the mocks (synth fidelity: the mocks must "
                           "answer the output it comes from)")
        if not self.link:
            return escape(text)
        exact = [i for i in identities if i[0] == text]
        if exact:
            value, address, attribute = _best(exact, path)
            self.referenced.add(address)
            return f"${{{address}.{attribute}}}"
        return self._interpolate(text, identities)

    def _interpolate(self, text: str, identities: list) -> str:
        """Replace every embedded output value (longest first) with a reference; escape the rest."""
        for value, address, attribute in identities:
            if len(value) >= 8 and value in text:
                head, _, tail = text.partition(value)
                self.referenced.add(address)
                return (self._interpolate(head, identities) + f"${{{address}.{attribute}}}"
                        + self._interpolate(tail, identities))
        return escape(text)


def _best(matches: list[tuple[str, str, str]], path: str) -> tuple[str, str, str]:
    """Of outputs with the same value, the one the input's name points at (`...Arn` -> arn, `...Id` -> id)."""
    leaf = re.sub(r"\[\d+\]", "", path.rsplit(".", 1)[-1]).lower()
    for match in matches:
        if leaf.endswith(match[2].replace("_", "")) or leaf.rstrip("s").endswith(match[2].replace("_", "")):
            return match
    return matches[0]


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
