#!/usr/bin/env bash
# The README's test command: provision this machine (idempotent), then run every test suite:
# static checks, unit, Pulumi mock and the real end-to-end deploys.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh --with-test-tools
PATH="$(bash scripts/install-engine.sh --print-path):$(dirname "$(bash scripts/install-actionlint.sh --print-path)"):$PATH"
export PATH
npm test
