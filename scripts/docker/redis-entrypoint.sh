#!/bin/sh
# As the official redis image's entrypoint: flags alone run redis-server, which runs as `redis`; protected mode
# is off unless an argument turns it on (later arguments win).
set -e
if [ "${1#-}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ]; then
  if [ "$(id -u)" = 0 ]; then exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"; fi
  shift
  set -- redis-server --protected-mode no "$@"
fi
exec "$@"
