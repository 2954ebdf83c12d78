"""Eventing: Alertmanager webhooks to CloudEvents, and the handlers that keep knowledge current.

``alertmanager`` validates the webhook and fans it out into one CloudEvent per alert;
``envelope`` encodes and decodes CloudEvents over HTTP (binary and structured mode,
written against the spec: the core library never imports the ``cloudevents`` package);
``sink`` posts them to the Broker (``K_SINK``) with retries; ``handlers`` dispatches by
type, idempotently (``dedupe``); ``alerts`` holds the alert documents; ``runs``
records every reindex run. ``routes`` serves the same path in the embedded stack.
The types and their data models are in ``models``; the catalog is generated from them.
"""
