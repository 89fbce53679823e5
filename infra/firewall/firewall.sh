#!/usr/bin/env bash
# Robbie's host firewall (SPEC §11.4): from outside only HTTPS, HTTP (301 to HTTPS, ACME) and WireGuard are
# reachable, SSH only from the admin addresses; fail2ban bans an address that collects repeated 401s at the
# gateway. Debian/Ubuntu, as root: apt-get install -y ufw fail2ban.
#
# usage: infra/firewall/firewall.sh [--dry-run] [apply|ufw|install]
#   apply (default)  the ufw rules, then the fail2ban filter and jail
#   ufw              the ufw rules only: default deny incoming, allow outgoing, SSH from ADMIN_CIDRS, 443/tcp,
#                    80/tcp, WireGuard/udp, enable. Rules ufw already has are skipped by ufw itself, so a
#                    second run changes nothing; rules added by hand are kept (no reset).
#   install          copies fail2ban/filter.d/robbie-gateway.conf and fail2ban/jail.d/robbie-gateway.conf into
#                    /etc/fail2ban, checks the configuration (fail2ban-client -t) and reloads fail2ban
#   --dry-run        prints every command exactly as it would run it, one a line, and changes nothing: no
#                    root, ufw or fail2ban needed. Warnings go to stderr.
# env:
#   ADMIN_CIDRS                addresses allowed to SSH, space- or comma-separated (e.g. "203.0.113.4/32 10.8.0.0/24");
#                              unset = SSH from anywhere, with a warning
#   SSH_PORT                   default 22
#   WIREGUARD_PORT             default 51820
#   ROBBIE_GATEWAY_ACCESS_LOG  the gateway's access log for the jail (default in the jail file:
#                              /var/lib/robbie/logs/gateway.access.log); may be a glob
#   ROBBIE_FAIL2BAN_CHAIN      iptables chain to ban in, e.g. DOCKER-USER when the gateway is a container
#   FAIL2BAN_DIR               default /etc/fail2ban
# Docker publishes container ports past ufw (its own iptables rules come first): publish only the gateway,
# and ban in DOCKER-USER for it (docs/operations.md, "Firewall").
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DRY_RUN=0
COMMAND=""
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=1 ;;
    apply|ufw|install)
      if [[ -n "$COMMAND" ]]; then echo "firewall.sh: one command only" >&2; exit 2; fi
      COMMAND="$arg" ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "firewall.sh: unknown argument '$arg' (usage: firewall.sh [--dry-run] [apply|ufw|install])" >&2; exit 2 ;;
  esac
done
COMMAND="${COMMAND:-apply}"

SSH_PORT="${SSH_PORT:-22}"
WIREGUARD_PORT="${WIREGUARD_PORT:-51820}"
FAIL2BAN_DIR="${FAIL2BAN_DIR:-/etc/fail2ban}"
ACCESS_LOG="${ROBBIE_GATEWAY_ACCESS_LOG:-}"
CHAIN="${ROBBIE_FAIL2BAN_CHAIN:-}"

die () { echo "firewall.sh: $*" >&2; exit 2; }
warn () { echo "firewall.sh: warning: $*" >&2; }

# Everything is checked before the first command runs, so a bad value never leaves a half-configured host.
port_ok () { [[ "$1" =~ ^[0-9]{1,5}$ ]] && (( 10#$1 >= 1 && 10#$1 <= 65535 )); }
port_ok "$SSH_PORT" || die "SSH_PORT must be a port number, got '$SSH_PORT'"
port_ok "$WIREGUARD_PORT" || die "WIREGUARD_PORT must be a port number, got '$WIREGUARD_PORT'"
CIDRS=()
for cidr in ${ADMIN_CIDRS:+${ADMIN_CIDRS//,/ }}; do
  if [[ "$cidr" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}(/([0-9]|[12][0-9]|3[0-2]))?$ ]] || [[ "$cidr" =~ ^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))?$ ]]; then
    CIDRS+=("$cidr")
  else
    die "ADMIN_CIDRS: '$cidr' is not an IPv4 or IPv6 address or network"
  fi
done
[[ -z "$ACCESS_LOG" || "$ACCESS_LOG" =~ ^/[A-Za-z0-9._/*-]+$ ]] || die "ROBBIE_GATEWAY_ACCESS_LOG must be an absolute path (letters, digits, . _ - / *), got '$ACCESS_LOG'"
[[ -z "$CHAIN" || "$CHAIN" =~ ^[A-Za-z0-9_-]+$ ]] || die "ROBBIE_FAIL2BAN_CHAIN must be a chain name, got '$CHAIN'"
[[ "$FAIL2BAN_DIR" =~ ^/[A-Za-z0-9._/-]+$ ]] || die "FAIL2BAN_DIR must be an absolute path, got '$FAIL2BAN_DIR'"

# A word as a shell would need it: plain, or in single quotes.
quote () {
  if [[ "$1" =~ ^[A-Za-z0-9_./:,=@%+-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
# Prints the command (dry run) or runs it. Either way the line shown is exactly the command.
run () {
  local line="" word
  for word in "$@"; do line+="${line:+ }$(quote "$word")"; done
  if (( DRY_RUN )); then echo "$line"; else echo "+ $line" >&2; "$@"; fi
}

if (( ! DRY_RUN )); then
  [[ "$(id -u)" == 0 ]] || die "run as root (or with --dry-run to see the commands)"
  if [[ "$COMMAND" != install ]]; then
    command -v ufw > /dev/null || die "ufw is not installed: apt-get install -y ufw"
  fi
  if [[ "$COMMAND" != ufw ]]; then
    command -v fail2ban-client > /dev/null || die "fail2ban is not installed: apt-get install -y fail2ban"
    # fail2ban refuses to start a jail whose log does not exist, and with it every other jail.
    log="${ACCESS_LOG:-$(sed -n 's/^logpath *= *//p' "$HERE/fail2ban/jail.d/robbie-gateway.conf")}"
    compgen -G "$log" > /dev/null || die "no gateway access log at $log yet: start the gateway first, or set ROBBIE_GATEWAY_ACCESS_LOG"
  fi
fi

configure_ufw () {
  run ufw default deny incoming
  run ufw default allow outgoing
  if (( ${#CIDRS[@]} == 0 )); then
    warn "ADMIN_CIDRS is not set: SSH (port $SSH_PORT) stays open to every address. Set it to your admin networks."
    run ufw allow "$SSH_PORT/tcp" comment 'robbie: ssh'
  else
    for cidr in "${CIDRS[@]}"; do
      run ufw allow from "$cidr" to any port "$SSH_PORT" proto tcp comment 'robbie: ssh from admin'
    done
  fi
  run ufw allow 443/tcp comment 'robbie: https'
  run ufw allow 80/tcp comment 'robbie: http, 301 to https and acme'
  run ufw allow "$WIREGUARD_PORT/udp" comment 'robbie: wireguard'
  # last, once SSH is allowed: enabling never cuts the session that runs this
  run ufw --force enable
}

install_fail2ban () {
  local jail="$FAIL2BAN_DIR/jail.d/robbie-gateway.conf"
  run install -d -m 0755 "$FAIL2BAN_DIR/filter.d" "$FAIL2BAN_DIR/jail.d"
  run install -m 0644 "$HERE/fail2ban/filter.d/robbie-gateway.conf" "$FAIL2BAN_DIR/filter.d/robbie-gateway.conf"
  run install -m 0644 "$HERE/fail2ban/jail.d/robbie-gateway.conf" "$jail"
  if [[ -n "$ACCESS_LOG" ]]; then run sed -i "s|^logpath .*|logpath  = $ACCESS_LOG|" "$jail"; fi
  if [[ -n "$CHAIN" ]]; then run sed -i "s|^# chain .*|chain    = $CHAIN|" "$jail"; fi
  run fail2ban-client -c "$FAIL2BAN_DIR" -t
  run systemctl reload-or-restart fail2ban
}

case "$COMMAND" in
  apply) configure_ufw; install_fail2ban ;;
  ufw) configure_ufw ;;
  install) install_fail2ban ;;
esac
