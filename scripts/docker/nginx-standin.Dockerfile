# Test-only stand-in for the official nginx:1.27-bookworm (see base-images.sh): Debian's nginx (1.22; the
# project's nginx config uses nothing newer) laid out as the official image: /etc/nginx/nginx.conf including
# /etc/nginx/conf.d/*.conf, workers as the `nginx` user (uid 101), logs to the container's output, curl for
# health checks, `nginx -g 'daemon off;'` stopped gracefully with SIGQUIT.
FROM local/bookworm:base
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
  && groupadd --system --gid 101 nginx \
  && useradd --system --gid nginx --no-create-home --home /nonexistent --shell /bin/false --uid 101 nginx \
  && apt-get update \
  && apt-get install -y --no-install-recommends nginx-light curl \
  && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/sites-available \
  && mkdir -p /etc/nginx/conf.d \
  && ln -sf /dev/stdout /var/log/nginx/access.log \
  && ln -sf /dev/stderr /var/log/nginx/error.log
COPY nginx-standin.conf /etc/nginx/nginx.conf
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
