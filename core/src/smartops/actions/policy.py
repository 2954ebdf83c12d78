"""Who may run which action where: a policy file mapping users and roles to actions.

    roles:
      viewer:   {actions: [read], namespaces: ["*"]}
      shop-ops: {actions: [read, rollout_restart, scale], namespaces: [shop]}
    bindings:
      - subjects: ["user:alice@example.com"]   # the user id or e-mail
        roles: [shop-ops]
      - subjects: ["role:admin"]               # Open WebUI's role, or the API key's
        roles: [viewer]
      - subjects: ["*"]                        # everyone
        roles: [viewer]

``actions`` lists action names, ``read`` (every read action), ``write`` (every write) or
``*``. ``namespaces`` are globs; a cluster-wide request (no namespace, or nodes) needs
``*``. Writes are denied unless a role names them; with no policy file, everyone may
read and nobody may write. The Kubernetes SubjectAccessReview runs after this check.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smartops.actions.catalog import Action
from smartops.errors import InvalidRequest
from smartops.turn import Principal


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actions: list[str] = Field(default_factory=list)
    namespaces: list[str] = Field(default_factory=lambda: ["*"])


class Binding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subjects: list[str] = Field(min_length=1)
    roles: list[str] = Field(min_length=1)


class PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: dict[str, Role] = Field(default_factory=dict)
    bindings: list[Binding] = Field(default_factory=list)


DEFAULT = PolicyFile(
    roles={"reader": Role(actions=["read"], namespaces=["*"])},
    bindings=[Binding(subjects=["*"], roles=["reader"])],
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    roles: list[str] = field(default_factory=list)


def subject_names(principal: Principal) -> set[str]:
    names = {"*", f"user:{principal.user}", f"role:{principal.role}"}
    if principal.email:
        names.add(f"user:{principal.email}")
    return names


class Policy:
    def __init__(self, data: PolicyFile) -> None:
        unknown = {r for b in data.bindings for r in b.roles} - set(data.roles)
        if unknown:
            raise InvalidRequest(
                f"The policy binds unknown roles: {sorted(unknown)}", code="invalid_policy"
            )
        self.data = data

    @classmethod
    def load(cls, path: Path | None) -> Policy:
        if path is None:
            return cls(DEFAULT)
        try:
            raw = yaml.safe_load(Path(path).read_text()) or {}
            return cls(PolicyFile.model_validate(raw))
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise InvalidRequest(
                f"Cannot load the action policy {path}: {exc}", code="invalid_policy"
            ) from None

    def roles_of(self, principal: Principal) -> list[str]:
        names = subject_names(principal)
        roles: list[str] = []
        for binding in self.data.bindings:
            if names & set(binding.subjects):
                roles += [r for r in binding.roles if r not in roles]
        return roles

    def decide(self, principal: Principal, action: Action, namespace: str | None) -> Decision:
        roles = self.roles_of(principal)
        for name in roles:
            role = self.data.roles[name]
            if _grants(role, action) and _covers(role, namespace):
                return Decision(True, f"granted by role '{name}'", roles)
        where = f"namespace '{namespace}'" if namespace else "the whole cluster"
        if action.kind == "write":
            reason = f"No role of yours grants the write '{action.name}' in {where}."
        else:
            reason = f"No role of yours grants '{action.name}' in {where}."
        return Decision(False, reason, roles)


def _grants(role: Role, action: Action) -> bool:
    granted = set(role.actions)
    return bool({"*", action.kind, action.name} & granted)


def _covers(role: Role, namespace: str | None) -> bool:
    if namespace is None:
        return "*" in role.namespaces
    return any(fnmatch.fnmatchcase(namespace, pattern) for pattern in role.namespaces)
