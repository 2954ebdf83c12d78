#!/bin/sh
# Idempotent OpenSearch and Dashboards bootstrap (run by the smartops-opensearch-bootstrap Job).
set -eu
here=$(dirname "$0")

wait_for() {
  echo "waiting for $1"
  until curl -fsS -o /dev/null "$1"; do sleep 5; done
}

put() {
  echo "PUT $1"
  curl -fsS -X PUT "$OPENSEARCH_URL/$1" -H 'Content-Type: application/json' \
    --data-binary "@$here/$2"
  echo
}

wait_for "$OPENSEARCH_URL/_cluster/health?wait_for_status=yellow&timeout=30s"
put _index_template/smartops index-template.json
put _search/pipeline/smartops-hybrid search-pipeline.json
put _index_template/smartops-logs logs-template.json

wait_for "$DASHBOARDS_URL/api/status"
echo "importing Dashboards saved objects"
curl -fsS -X POST "$DASHBOARDS_URL/api/saved_objects/_import?overwrite=true" \
  -H 'osd-xsrf: true' -F "file=@$here/saved-objects.ndjson"
echo
