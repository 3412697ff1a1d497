# Pulseboard: `docker-compose up -d` (docker-compose.yml) or `docker build -t pulseboard .`.
# Build stage: every dependency (dev ones build the page and the server bundle); runtime stage: production
# dependencies, the server bundle and the built page only.
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded, against the image's own
# Node headers (no header download either).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app
# Manifests first: the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json .npmrc ./
COPY packages/shared/package.json packages/shared/
COPY packages/demo/package.json packages/demo/
COPY packages/server/package.json packages/server/
COPY packages/web/package.json packages/web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# What the server imports at run time, nothing else: dev dependencies go, and so do the page's own (React,
# Recharts: they are in the built page) by leaving packages/web out of the workspaces before pruning. The
# workspace packages are inside the server bundle; better-sqlite3 keeps its compiled module, not its sources.
RUN npm pkg set workspaces='["packages/shared","packages/demo","packages/server"]' --json \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/@pulseboard \
  && cd node_modules/better-sqlite3 && mv build/Release/better_sqlite3.node . && rm -rf build deps src \
  && mkdir -p build/Release && mv better_sqlite3.node build/Release/ && cd /app \
  && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  PULSEBOARD_HOST=0.0.0.0 \
  PULSEBOARD_PORT=3000 \
  PULSEBOARD_DB=/data/pulseboard.db
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/server/dist/node packages/server/dist/node
COPY --from=build /app/packages/web/dist packages/web/dist
COPY --from=build /app/scripts/start.sh scripts/
# The volume is created from this directory, so it belongs to the unprivileged user from the start.
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
# /readyz: the store is open and start-up work (the demo's first backfill, ~15 s) is done.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PULSEBOARD_PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# `npm start`'s script without npm: it runs the built server (no build tools here) and execs node, so
# SIGTERM reaches the server, which commits what is queued and exits. Arguments to `docker run IMAGE ...`
# are server flags (`--no-demo`).
ENTRYPOINT ["bash", "scripts/start.sh"]
