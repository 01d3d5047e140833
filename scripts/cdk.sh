#!/usr/bin/env bash
# The CDK CLI for one stage, as the deploy workflows run it.
#
#   scripts/cdk.sh synth  STAGE            synthesize STAGE into packages/infrastructure/cdk.out/STAGE
#                                          (cdk-nag runs as a synthesis validation: a finding fails it)
#   scripts/cdk.sh diff   STAGE [ARGS...]  diff that assembly against what is deployed
#   scripts/cdk.sh deploy STAGE [ARGS...]  deploy that assembly, every stack
#
# diff and deploy read the assembly synth wrote, so what is deployed is exactly what was
# checked. STAGE is dev, staging or prod. Context for synth:
#   GITHUB_REPOSITORY  owner/repo (set by GitHub Actions): the deploy role keeps trusting the
#                      repository that deploys it (githubOwner / githubRepo)
#   CDK_CONTEXT        one KEY=VALUE per line: the deployment settings (domainName=api.example.com,
#                      hostedZoneId=…, hostedZoneName=…, alarmEmail=…; docs/deploying.md, step 1)
#   CDK_REPO_ROOT      optional, the checkout to use (a rollback deploys an older one)
# Needs AWS credentials for diff and deploy; synth works offline.
set -euo pipefail

usage() {
  echo "usage: $0 synth|diff|deploy dev|staging|prod [cdk args...]" >&2
  exit 2
}
[ "$#" -ge 2 ] || usage
command=$1
stage=$2
shift 2
case "$stage" in dev | staging | prod) ;; *) usage ;; esac

root=$(cd "${CDK_REPO_ROOT:-$(dirname "$0")/..}" && pwd)
cd "$root/packages/infrastructure"
# The workspace's own cdk and bun (the app is `bun src/bin/deploy-STAGE.ts`).
export PATH="$root/node_modules/.bin:$PATH"
cdk=(cdk)
assembly="cdk.out/$stage"
export CDK_DISABLE_CLI_TELEMETRY=true

case "$command" in
  synth)
    context=()
    if [ -n "${GITHUB_REPOSITORY:-}" ]; then
      context+=(-c "githubOwner=${GITHUB_REPOSITORY%%/*}" -c "githubRepo=${GITHUB_REPOSITORY#*/}")
    fi
    while IFS= read -r line; do
      line=${line%$'\r'}
      [ -z "$line" ] || context+=(-c "$line")
    done <<<"${CDK_CONTEXT:-}"
    rm -rf "$assembly"
    "${cdk[@]}" synth --no-notices --quiet --app "bun src/bin/deploy-$stage.ts" --output "$assembly" \
      "${context[@]}" "$@"
    ;;
  diff | deploy)
    if [ ! -f "$assembly/manifest.json" ]; then
      echo "No assembly in packages/infrastructure/$assembly: run \`$0 synth $stage\` first." >&2
      exit 1
    fi
    if [ "$command" = deploy ]; then set -- --all "$@"; fi
    "${cdk[@]}" "$command" --no-notices --app "$assembly" "$@"
    ;;
  *) usage ;;
esac
