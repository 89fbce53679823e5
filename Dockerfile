# One image per service and one for the gateway, all from this file (ARCHITECTURE.md §11). Not built on the
# dev machines (no Docker engine); test/static/deploy.test.ts checks docker-compose.yml against the fleet.

# ---- deps: the workspace with every dependency (services run from source through tsx) ------------------
FROM node:20-bookworm-slim AS deps
RUN npm i -g pnpm@12.21.0
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile
# The keys volume's mount point in the bootstrap container: an empty named volume takes this ownership,
# so bootstrap (user node) can write the keys and every service (user node) can read them.
RUN mkdir -p /run/robbie/keys && chown node:node /run/robbie/keys && chmod 700 /run/robbie/keys

# ---- service: docker build --target service --build-arg SERVICE=<name> ----------------------------------
FROM deps AS service
ARG SERVICE
RUN test -n "${SERVICE}" && test -f "services/${SERVICE}/src/server.ts"
ENV SERVICE=${SERVICE} NODE_ENV=production
USER node
# exec: node is PID 1 and gets SIGTERM for its graceful shutdown
CMD ["sh", "-c", "exec node --import tsx services/${SERVICE}/src/server.ts"]

# ---- gateway-config: render gateway/nginx.conf.template for the compose network -----------------------
FROM deps AS gateway-config
ARG ROBBIE_GATEWAY_RATE=20
ARG ROBBIE_GATEWAY_BURST=40
# TLS (SPEC §11.4, docs/operations.md "TLS"): by default no certificate, so HTTP only. Production builds
# with ROBBIE_GATEWAY_MODE=production and the certificate paths as the container will see them (certbot's
# /etc/letsencrypt mounted read-only), e.g. ROBBIE_TLS_CERT=/etc/letsencrypt/live/<domain>/fullchain.pem.
ARG ROBBIE_GATEWAY_MODE=local
ARG ROBBIE_TLS_CERT=
ARG ROBBIE_TLS_KEY=
RUN if [ -f web/package.json ]; then pnpm --filter ./web run build; fi
# web/dist once the web app exists, else the placeholder page
RUN mkdir -p /out/web && if [ -f web/dist/index.html ]; then cp -r web/dist/. /out/web/; else cp -r web/placeholder/. /out/web/; fi
# Upstreams are the compose service names; nginx listens on every interface of its container.
RUN ROBBIE_GATEWAY_HOST=0.0.0.0 ROBBIE_GATEWAY_USER=nginx \
    ROBBIE_GATEWAY_RATE=${ROBBIE_GATEWAY_RATE} ROBBIE_GATEWAY_BURST=${ROBBIE_GATEWAY_BURST} \
    ROBBIE_GATEWAY_MODE=${ROBBIE_GATEWAY_MODE} ROBBIE_TLS_CERT=${ROBBIE_TLS_CERT} ROBBIE_TLS_KEY=${ROBBIE_TLS_KEY} \
    node scripts/lib/gateway.mjs render --run-dir /var/lib/robbie-gateway --web-root /usr/share/robbie/web --upstream-host @service

# ---- gateway: nginx with the rendered config -----------------------------------------------------------
FROM nginx:1.27 AS gateway
COPY --from=gateway-config /out/web /usr/share/robbie/web
COPY --from=gateway-config /var/lib/robbie-gateway /var/lib/robbie-gateway
# Logs go to the container's stdout/stderr; the workers (user nginx) write the temp folders.
RUN ln -sf /dev/stdout /var/lib/robbie-gateway/logs/gateway.access.log \
 && ln -sf /dev/stderr /var/lib/robbie-gateway/logs/gateway.error.log \
 && chown -R nginx:nginx /var/lib/robbie-gateway/tmp
# (no nginx -t here: the upstream names resolve only on the compose network)
# 3000/3443 locally; 443 and 80 (301 to HTTPS, ACME challenges) in production mode
EXPOSE 3000 3443 443 80
CMD ["nginx", "-p", "/var/lib/robbie-gateway", "-c", "/var/lib/robbie-gateway/nginx/nginx.conf", "-g", "daemon off;"]
