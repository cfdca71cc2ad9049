#!/usr/bin/env bash
# The whole test suite: installs what the tests need (Debian packages for the data
# plane, browser and PostgreSQL tests; npm packages), then runs every test with Node 24.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export PATH="$PWD/node_modules/.bin:$PATH"
node --version
tsc -p .
tsc -p web
biome lint src test bench web/src
node --test --test-reporter=spec \
  'src/**/*.test.ts' 'web/src/**/*.test.ts' 'bench/*.test.ts' 'test/**/*.test.ts'
