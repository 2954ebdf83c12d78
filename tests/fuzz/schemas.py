"""The real request bodies of every route, as Hypothesis strategies, valid and hostile.

The OpenAI chat request (string or list-of-parts content, with ``image_url`` parts as
Open WebUI sends them), Alertmanager's webhook (version 4), the CloudEvent attributes
and the data of each event type (``docs.changed`` paths included). Each field is
mostly valid and sometimes hostile (``strategies.sometimes``).
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import strategies as st

from smartops.eventing.models import EVENT_TYPES
from tests.fuzz.strategies import WORDS, junk, scalars, sometimes, texts, timestamps

# --- the OpenAI chat request -------------------------------------------------------
text_part = st.fixed_dictionaries({"type": st.just("text"), "text": sometimes(texts)})
image_part = st.fixed_dictionaries(
    {
        "type": st.just("image_url"),
        "image_url": st.fixed_dictionaries(
            {"url": st.sampled_from(["data:image/png;base64,iVBORw0KGgo=", "http://x/y.png"])},
            optional={"detail": st.sampled_from(["auto", "low", "high"])},
        ),
    }
)
other_part = st.fixed_dictionaries(
    {"type": st.sampled_from(["input_audio", "file", "refusal", "", "text"])},
    optional={"text": scalars},
)
content = st.one_of(
    texts,
    st.lists(st.one_of(text_part, image_part, other_part), max_size=4),
    st.none(),
)
message = st.fixed_dictionaries(
    {
        "role": sometimes(st.sampled_from(["user", "user", "system", "assistant", "tool"])),
        "content": sometimes(content),
    },
    optional={"name": texts},
)
question = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=12))
question_parts = st.tuples(question, st.lists(st.one_of(image_part, other_part), max_size=2)).map(
    lambda t: [{"type": "text", "text": t[0]}, *t[1]]
)
last_user = st.fixed_dictionaries(
    {
        "role": st.just("user"),
        "content": sometimes(st.one_of(question, question, question_parts, content)),
    }
)
chat_request = st.fixed_dictionaries(
    {
        "model": sometimes(st.sampled_from(["smartops"] * 9 + ["gpt-4o"])),
        "messages": sometimes(
            st.tuples(st.lists(message, max_size=3), last_user).map(lambda t: [*t[0], t[1]])
        ),
    },
    optional={
        "stream": sometimes(st.booleans()),
        "stream_options": sometimes(st.fixed_dictionaries({"include_usage": st.booleans()})),
        "temperature": sometimes(st.floats(0, 2)),
        "top_p": sometimes(st.floats(0.01, 1)),
        "max_tokens": sometimes(st.integers(1, 64)),
        "max_completion_tokens": sometimes(st.integers(-5, 64)),
        "stop": sometimes(st.one_of(texts, st.lists(texts, max_size=3))),
        "user": texts,
        "tools": junk,
        "extra": junk,
    },
)

# --- Alertmanager's webhook --------------------------------------------------------
alertnames = sometimes(
    st.sampled_from(["KubePodCrashLooping", "PaymentsHighErrorRate"]), 0.05, st.just("X" * 300)
)
label_values = st.one_of(st.sampled_from(WORDS), texts)
labels = st.tuples(
    alertnames,
    st.dictionaries(st.sampled_from(["namespace", "severity", "pod"]), label_values, max_size=2),
    st.dictionaries(texts, label_values, max_size=1),
).map(lambda t: {"alertname": t[0], **t[1], **t[2]})
hex_ids = st.text("0123456789abcdef", min_size=1, max_size=16)
alert = st.fixed_dictionaries(
    {
        "status": sometimes(st.sampled_from(["firing", "resolved"])),
        "labels": sometimes(labels),
        "startsAt": sometimes(timestamps),
        "fingerprint": sometimes(hex_ids),
    },
    optional={
        "annotations": st.dictionaries(st.sampled_from(["summary", "runbook_url"]), texts),
        "endsAt": timestamps,
        "generatorURL": texts,
    },
)
webhook = st.fixed_dictionaries(
    {
        "version": sometimes(st.just("4")),
        "status": sometimes(st.sampled_from(["firing", "resolved"])),
        "externalURL": sometimes(st.just("http://alertmanager:9093")),
        "alerts": sometimes(st.lists(alert, min_size=1, max_size=3)),
    },
    optional={
        "receiver": texts,
        "groupKey": texts,
        "truncatedAlerts": st.integers(0, 10),
        "groupLabels": sometimes(st.dictionaries(st.just("alertname"), alertnames)),
    },
)

# --- event data --------------------------------------------------------------------
alert_data = st.fixed_dictionaries(
    {
        "fingerprint": sometimes(st.text("0123456789abcdef", min_size=1, max_size=16)),
        "status": sometimes(st.sampled_from(["firing", "resolved"])),
        "alertname": sometimes(st.sampled_from(["KubePodCrashLooping", "NodeDown"])),
        "labels": sometimes(st.dictionaries(texts, texts, max_size=3)),
        "startsAt": sometimes(timestamps),
    },
    optional={"endsAt": sometimes(timestamps), "annotations": junk, "receiver": texts},
)


@functools.cache
def doc_paths(root: str) -> st.SearchStrategy[str]:
    """Paths under the reindex root (existing, removed, hostile) and outside it."""
    names = st.sampled_from(
        ["runbooks", "guides", "guides/restart.md", "runbooks/PaymentsHighErrorRate.md"]
    )
    return st.one_of(
        names.map(lambda n: f"{root}/{n}"),
        texts.map(lambda n: f"{root}/{n}"),
        st.sampled_from(["/etc/passwd", "relative/path", "", f"{root}/../outside", root]),
        st.sampled_from([f"{root}/loop/x", f"{root}/guides/" + "p" * 300]),
    )


@functools.cache
def docs_changed(root: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"paths": sometimes(st.lists(doc_paths(root), min_size=0, max_size=3), 0.05)},
        optional={
            "collection": st.sampled_from(["default", "alerts", "made-up", "Bad Name!", None]),
            "reason": texts,
        },
    )


@functools.cache
def event_data(root: str) -> st.SearchStrategy[tuple[str, Any]]:
    """(type, data): each type with its own data mostly, any data sometimes."""
    per_type = st.one_of(
        st.tuples(st.sampled_from(EVENT_TYPES[:2]), alert_data),
        st.tuples(st.just(EVENT_TYPES[2]), docs_changed(root)),
        st.tuples(
            st.sampled_from(EVENT_TYPES[3:]),
            st.fixed_dictionaries({}, optional={"scope": st.just("full"), "collection": texts}),
        ),
    )
    return st.one_of(per_type, st.tuples(st.one_of(st.sampled_from(EVENT_TYPES), texts), junk))


attributes = st.fixed_dictionaries(
    {
        "specversion": sometimes(st.just("1.0"), 0.05),
        "id": sometimes(st.text("abcdef0123456789", min_size=1, max_size=12), 0.05),
        "source": sometimes(st.just("/tests/fuzz"), 0.05),
    },
    optional={"time": timestamps, "subject": texts, "knativearrivaltime": timestamps},
)
