#!/usr/bin/env bash
# `npm start [-- FLAGS]`: runs the built server (packages/server/dist/node/main.mjs) with plain Node.
# In a developer checkout (the build tools esbuild, vite and tsx installed) it first rebuilds what is older
# than its sources; an install without dev dependencies (`npm ci --omit=dev` on a built tree, the Docker
# image) cannot build and runs what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -e node_modules/tsx ] && [ -e node_modules/esbuild ] && [ -e node_modules/vite ]; then
  node --import tsx scripts/build.ts --if-stale
elif [ ! -f packages/server/dist/node/main.mjs ] || [ ! -f packages/web/dist/index.html ]; then
  echo "pulseboard: no build to run and no build tools to make one: \`npm install\` (with dev dependencies), then \`npm start\`" >&2
  exit 1
fi

# --max-old-space-size, --heap-growing-percent and --max-semi-space-size (the main thread's young generation;
# decode workers set their own): see docs/architecture.md, "Threads and memory". --v8-pool-size=1: one V8 helper
# thread instead of four; each kept its own malloc arena (~10 MiB resident in all when idle with the demo on),
# and ingest's CPU was the same (docs/performance.md, 2026-12-04, "one V8 helper thread").
exec node --max-old-space-size=256 --heap-growing-percent=100 --max-semi-space-size=2 --v8-pool-size=1 --enable-source-maps \
  packages/server/dist/node/main.mjs "$@"
