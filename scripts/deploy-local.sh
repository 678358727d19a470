#!/usr/bin/env bash
# The README's main job: provision this machine, then deploy examples/django-app to it with
# `pulumi up` over a loopback sshd (local state backend), and print the app's URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
exec npx tsx scripts/deploy-local.ts "$@"
