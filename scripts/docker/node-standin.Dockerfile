# Test-only stand-in for the official node:20-bookworm-slim, for machines that reach no image registry
# (see scripts/docker/base-images.sh). Same layout as the official image: node, npm, npx and corepack in
# /usr/local, headers in /usr/local/include/node, a `node` user (uid/gid 1000), the same entrypoint.
FROM local/bookworm:base
COPY node /usr/local/bin/node
COPY lib/ /usr/local/lib/node_modules/
COPY include/ /usr/local/include/node/
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# This network intercepts outbound TLS: npm inside a build trusts the machine's CA bundle. Only here,
# never in the project's Dockerfile.
COPY ca-certificates.crt /usr/local/share/standin-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/standin-ca.crt
RUN groupadd --gid 1000 node \
  && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
  && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
  && ln -s ../lib/node_modules/corepack/dist/corepack.js /usr/local/bin/corepack \
  && node --version && npm --version
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
