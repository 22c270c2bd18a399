#!/usr/bin/env bash
# Installs Stoplight Prism and GitHub's OpenAPI description for tests/test_contract.py (about 400 MB).
set -euo pipefail
home="${PRISM_HOME:-$HOME/.cache/migration-review-prism}"
if [ ! -x "$home/node_modules/.bin/prism" ] || [ ! -f "$home/node_modules/@octokit/openapi/generated/api.github.com.json" ]; then
  mkdir -p "$home"
  npm install --prefix "$home" --no-audit --no-fund --silent @stoplight/prism-cli@5 @octokit/openapi
fi
echo "$home"
