# Test-only stand-in for the official postgres:15-bookworm (see base-images.sh): Debian's PostgreSQL 15 laid
# out as the official image is (binaries on PATH, PGDATA=/var/lib/postgresql/data, a `postgres` user, port
# 5432), with an entrypoint that honours the settings docker-compose.scaled.yml uses.
FROM local/bookworm:base
# No services started by package scripts inside a build, and no cluster made by the package: the entrypoint
# makes one in PGDATA on first start, as the official image does.
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
  && apt-get update \
  && apt-get install -y --no-install-recommends postgresql-common \
  && sed -ri 's/#(create_main_cluster) .*$/\1 = false/' /etc/postgresql-common/createcluster.conf \
  && apt-get install -y --no-install-recommends postgresql-15 \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/run/postgresql /var/lib/postgresql/data \
  && chown -R postgres:postgres /var/run/postgresql /var/lib/postgresql \
  && chmod 3777 /var/run/postgresql
ENV PATH=$PATH:/usr/lib/postgresql/15/bin \
  PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
# Fast shutdown: SIGINT (the official image's choice) rolls back open transactions and stops at once.
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
