#!/usr/bin/env bash
# Stops a recipe that talks to AWS, with a clear message, when no credentials are configured.
# Looks for what the AWS SDKs and the CDK CLI read; it does not call AWS.
set -euo pipefail
if [ -n "${AWS_ACCESS_KEY_ID:-}" ] || [ -n "${AWS_PROFILE:-}" ] || [ -n "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] \
  || [ -n "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" ] || [ -n "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" ] \
  || [ -s "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" ] || [ -s "${AWS_CONFIG_FILE:-$HOME/.aws/config}" ]; then
  exit 0
fi
cat >&2 <<'MSG'
This recipe needs AWS credentials, and none are configured.
Set AWS_PROFILE (after `aws configure sso` or `aws configure`), or AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, or run it in CI with OIDC credentials. `just cdk synth` works offline.
MSG
exit 1
