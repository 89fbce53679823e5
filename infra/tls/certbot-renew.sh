#!/usr/bin/env bash
# Production TLS certificates from Let's Encrypt with certbot (SPEC §11.4; docs/operations.md, "TLS").
# Debian/Ubuntu, as root: apt-get install -y certbot.
#
# usage: infra/tls/certbot-renew.sh [--dry-run] <obtain|renew|install-timer> [--standalone]
#   obtain         the first certificate for ROBBIE_DOMAIN. Default: webroot (the production gateway already
#                  answers /.well-known/acme-challenge/ on port 80 from ROBBIE_ACME_WEBROOT). --standalone:
#                  certbot answers on port 80 itself, for the very first certificate, before the gateway
#                  (which needs a certificate to start) runs.
#   renew          renews every certificate due within 30 days, through the webroot (nginx keeps running),
#                  then reloads the gateway (the deploy hook runs only when a certificate changed)
#   install-timer  a systemd timer that runs `renew` twice a day (03:17 and 15:17, up to 1 h later at random)
#   --dry-run      prints every command exactly as it would run it, one a line, and changes nothing (no
#                  root or certbot needed). This is not certbot's own --dry-run (a trial against the staging
#                  server): for that, set ROBBIE_ACME_STAGING=1.
# env:
#   ROBBIE_DOMAIN          the site name(s), comma-separated (first = certificate name); obtain needs it
#   ROBBIE_ACME_EMAIL      the account e-mail for expiry notices; obtain needs it
#   ROBBIE_ACME_WEBROOT    default /var/www/certbot (the gateway's ACME_WEBROOT)
#   ROBBIE_ACME_STAGING=1  use Let's Encrypt's staging server (test certificates)
#   ROBBIE_NGINX_RELOAD    the command that reloads the gateway; default:
#                          docker compose -f <repo>/docker-compose.yml exec -T gateway nginx -s reload
# The certificate lands in /etc/letsencrypt/live/<first domain>/{fullchain,privkey}.pem: render the gateway
# with ROBBIE_GATEWAY_MODE=production ROBBIE_TLS_CERT=…/fullchain.pem ROBBIE_TLS_KEY=…/privkey.pem.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DRY_RUN=0
STANDALONE=0
COMMAND=""
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=1 ;;
    --standalone) STANDALONE=1 ;;
    obtain|renew|install-timer)
      if [[ -n "$COMMAND" ]]; then echo "certbot-renew.sh: one command only" >&2; exit 2; fi
      COMMAND="$arg" ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "certbot-renew.sh: unknown argument '$arg'" >&2; COMMAND="" ; break ;;
  esac
done
die () { echo "certbot-renew.sh: $*" >&2; exit 2; }
[[ -n "$COMMAND" ]] || die "usage: certbot-renew.sh [--dry-run] <obtain|renew|install-timer> [--standalone]"
[[ "$STANDALONE" == 0 || "$COMMAND" == obtain ]] || die "--standalone is for obtain only"

WEBROOT="${ROBBIE_ACME_WEBROOT:-/var/www/certbot}"
RELOAD="${ROBBIE_NGINX_RELOAD:-docker compose -f $REPO/docker-compose.yml exec -T gateway nginx -s reload}"
[[ "$WEBROOT" =~ ^/[A-Za-z0-9._/-]+$ ]] || die "ROBBIE_ACME_WEBROOT must be an absolute path, got '$WEBROOT'"
STAGING=()
if [[ "${ROBBIE_ACME_STAGING:-}" == 1 ]]; then STAGING=(--test-cert); fi

quote () {
  if [[ "$1" =~ ^[A-Za-z0-9_./:,=@%+-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
run () {
  local line="" word
  for word in "$@"; do line+="${line:+ }$(quote "$word")"; done
  if (( DRY_RUN )); then echo "$line"; else echo "+ $line" >&2; "$@"; fi
}
# Writes a file (dry run: prints the command and the content it would write).
write_file () {
  local file="$1" content="$2"
  if (( DRY_RUN )); then
    echo "install -m 0644 /dev/stdin $(quote "$file") <<'EOF'"; printf '%s\n' "$content"; echo "EOF"
  else
    echo "+ write $file" >&2; printf '%s\n' "$content" | install -m 0644 /dev/stdin "$file"
  fi
}

if (( ! DRY_RUN )); then
  [[ "$(id -u)" == 0 ]] || die "run as root (or with --dry-run to see the commands)"
  command -v certbot > /dev/null || die "certbot is not installed: apt-get install -y certbot"
fi

case "$COMMAND" in
  obtain)
    [[ -n "${ROBBIE_DOMAIN:-}" ]] || die "set ROBBIE_DOMAIN (e.g. robbie.example.com)"
    [[ "${ROBBIE_ACME_EMAIL:-}" =~ ^[^[:space:]@]+@[^[:space:]@]+$ ]] || die "set ROBBIE_ACME_EMAIL to the address for expiry notices"
    DOMAINS=()
    for domain in ${ROBBIE_DOMAIN//,/ }; do
      [[ "$domain" =~ ^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$ ]] || die "'$domain' is not a domain name"
      DOMAINS+=(-d "$domain")
    done
    if (( STANDALONE )); then
      AUTH=(--standalone)
    else
      run install -d -m 0755 "$WEBROOT"
      AUTH=(--webroot -w "$WEBROOT")
    fi
    # The deploy hook is stored with the certificate, so every later renewal (ours, or the certbot
    # package's own timer) reloads the gateway too. ECDSA P-256 keys, as Mozilla "intermediate" prefers.
    run certbot certonly "${AUTH[@]}" "${DOMAINS[@]}" --cert-name "${DOMAINS[1]}" \
      --email "$ROBBIE_ACME_EMAIL" --agree-tos --no-eff-email --non-interactive --keep-until-expiring \
      --key-type ecdsa --elliptic-curve secp256r1 "${STAGING[@]}" --deploy-hook "$RELOAD"
    echo "certificate: /etc/letsencrypt/live/${DOMAINS[1]}/fullchain.pem, key: /etc/letsencrypt/live/${DOMAINS[1]}/privkey.pem" >&2
    ;;
  renew)
    # --webroot here also moves a certificate first obtained --standalone over to the webroot for good.
    run certbot renew --webroot -w "$WEBROOT" --non-interactive --quiet "${STAGING[@]}" --deploy-hook "$RELOAD"
    ;;
  install-timer)
    SCRIPT="$HERE/certbot-renew.sh"
    write_file /etc/systemd/system/robbie-certbot-renew.service "[Unit]
Description=Renew Robbie's TLS certificates (certbot, webroot) and reload the gateway
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
Environment=ROBBIE_ACME_WEBROOT=$WEBROOT
Environment=\"ROBBIE_NGINX_RELOAD=$RELOAD\"
ExecStart=$SCRIPT renew"
    write_file /etc/systemd/system/robbie-certbot-renew.timer "[Unit]
Description=Renew Robbie's TLS certificates twice a day

[Timer]
OnCalendar=*-*-* 03,15:17:00
RandomizedDelaySec=1h
Persistent=true

[Install]
WantedBy=timers.target"
    run systemctl daemon-reload
    run systemctl enable --now robbie-certbot-renew.timer
    # Without systemd, the same as a cron line: /etc/cron.d/robbie-certbot
    echo "(no systemd? put this line in /etc/cron.d/robbie-certbot instead: 17 3,15 * * * root $SCRIPT renew)" >&2
    ;;
esac
