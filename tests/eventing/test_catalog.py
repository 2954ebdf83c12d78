"""The committed event catalog is exactly what the models generate, and it validates events."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from smartops.eventing import catalog
from smartops.eventing.alertmanager import parse_webhook, to_events
from smartops.eventing.models import EVENT_TYPES

DATA = Path(__file__).parent / "data"


def test_committed_catalog_matches_the_models(repo_root: Path) -> None:
    assert catalog.differences(repo_root / "eventing" / "catalog") == []


def test_every_trigger_filters_on_a_catalog_type(repo_root: Path) -> None:
    documents = yaml.safe_load_all((repo_root / "eventing" / "triggers.yaml").read_text())
    types = {d["spec"]["filter"]["attributes"]["type"] for d in documents if d}
    assert types and types <= set(EVENT_TYPES)


def test_schemas_accept_real_events_and_reject_bad_data() -> None:
    schemas = {name: json.loads(text) for name, text in catalog.render().items()}
    for event in to_events(parse_webhook((DATA / "webhook.json").read_bytes())):
        jsonschema.validate(event.data, schemas[f"{event.type}.json"])
    changed = schemas["dev.smartops.docs.changed.v1.json"]
    jsonschema.validate({"paths": ["docs/runbooks"]}, changed)
    errors = list(jsonschema.Draft202012Validator(changed).iter_errors({"paths": []}))
    assert errors, "an empty path list must not validate"
