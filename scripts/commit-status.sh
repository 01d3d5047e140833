#!/usr/bin/env bash
# Sets a commit status on the commit a workflow runs for, linking to the run.
#   scripts/commit-status.sh STATE CONTEXT DESCRIPTION
# STATE: pending, success, failure or error. Needs GH_TOKEN with `statuses: write`, and the
# GITHUB_* variables GitHub Actions sets. DESCRIPTION is cut to the API's 140 characters.
set -euo pipefail
state=${1:?usage: $0 STATE CONTEXT DESCRIPTION}
context=${2:?usage: $0 STATE CONTEXT DESCRIPTION}
description=${3:-}
case "$state" in pending | success | failure | error) ;; *)
  echo "unknown state: $state" >&2
  exit 2
  ;;
esac
gh api --method POST "repos/${GITHUB_REPOSITORY}/statuses/${GITHUB_SHA}" \
  -f state="$state" \
  -f context="$context" \
  -f description="${description:0:140}" \
  -f target_url="${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}" \
  --silent
echo "commit status ${context}: ${state}"
