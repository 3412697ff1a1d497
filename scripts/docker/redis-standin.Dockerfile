# Test-only stand-in for the official redis:7-bookworm (see base-images.sh): Debian's Redis 7 as the official
# image runs it: `redis-server` in the foreground as the `redis` user in /data, listening on all addresses of
# the container with protected mode off (the official build turns it off; Debian's would refuse other hosts).
FROM local/bookworm:base
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
  && apt-get update \
  && apt-get install -y --no-install-recommends redis-server \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir /data && chown redis:redis /data
VOLUME /data
WORKDIR /data
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
EXPOSE 6379
CMD ["redis-server"]
