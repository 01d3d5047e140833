#!/usr/bin/env bash
# Checks a deployed API from the outside.
#
#   scripts/smoke-test.sh [--full] BASE_URL
#
# Always: GET /health/ready answers 200 with every check "ok" (retried while the new version
# warms up: SMOKE_ATTEMPTS, default 10, every SMOKE_INTERVAL seconds, default 15), and
# GET /health answers 200 {"status":"ok"}. With --full (the production integration checks) also:
# every response carries X-Request-Id, /openapi.json is an OpenAPI 3.1 document, an unknown
# route is a JSON 404 with code NOT_FOUND, and /api/chats without a session is a 401.
# Needs curl and jq. Exits non-zero on the first failed check.
set -euo pipefail

full=false
if [ "${1:-}" = --full ]; then
  full=true
  shift
fi
if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 [--full] BASE_URL" >&2
  exit 2
fi
base=${1%/}
attempts=${SMOKE_ATTEMPTS:-10}
interval=${SMOKE_INTERVAL:-15}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fetch PATH: sets $status; body in $work/body, headers in $work/headers
fetch() {
  status=$(curl --silent --show-error --max-time 20 --output "$work/body" --dump-header "$work/headers" \
    --write-out '%{http_code}' "$base$1") || status=000
}
fail() {
  echo "FAILED: $*" >&2
  if [ -s "$work/body" ]; then head -c 500 "$work/body" >&2 && echo >&2; fi
  exit 1
}
pass() { echo "ok: $*"; }
expect_status() { [ "$status" = "$2" ] || fail "GET $1 answered $status, expected $2"; }
expect_json() { # PATH JQ_FILTER DESCRIPTION
  jq -e "$2" "$work/body" >/dev/null 2>&1 || fail "GET $1: $3"
}
expect_request_id() {
  grep -qi '^x-request-id: ..*' "$work/headers" || fail "GET $1 carries no X-Request-Id"
}

echo "Smoke test of $base"

for attempt in $(seq 1 "$attempts"); do
  fetch /health/ready
  if [ "$status" = 200 ] && jq -e '.status == "ok" and ([.checks[]] | all(. == "ok"))' \
    "$work/body" >/dev/null 2>&1; then
    break
  fi
  [ "$attempt" -lt "$attempts" ] || fail "GET /health/ready answered $status after $attempts attempts"
  echo "GET /health/ready answered $status (attempt $attempt of $attempts); retrying in ${interval}s"
  sleep "$interval"
done
pass "GET /health/ready is 200 with every check ok: $(jq -c .checks "$work/body")"

fetch /health
expect_status /health 200
expect_json /health '.status == "ok"' 'body is not {"status":"ok"}'
pass 'GET /health is 200 {"status":"ok"}'

if [ "$full" = true ]; then
  expect_request_id /health/ready
  pass 'responses carry X-Request-Id'

  fetch /openapi.json
  expect_status /openapi.json 200
  expect_json /openapi.json '.openapi | startswith("3.1")' 'is not an OpenAPI 3.1 document'
  pass 'GET /openapi.json is an OpenAPI 3.1 document'

  missing="/smoke-test-missing-route-$$"
  fetch "$missing"
  expect_status "$missing" 404
  expect_json "$missing" '.error.code == "NOT_FOUND" and (.error.requestId | length > 0)' \
    'is not the JSON error shape with code NOT_FOUND'
  pass 'an unknown route is a JSON 404 (NOT_FOUND)'

  fetch /api/chats
  expect_status /api/chats 401
  expect_json /api/chats '.error.code == "UNAUTHORIZED"' 'is not the JSON error shape with code UNAUTHORIZED'
  pass 'GET /api/chats without a session is a 401'
fi
echo "Smoke test passed: $base"
