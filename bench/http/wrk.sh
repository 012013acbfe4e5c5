#!/usr/bin/env bash
# wrk.sh: the same payload served by nginx (a tree `eiota publish --static` wrote) and by
# `eiota serve` (SQLite, uploaded with `eiota publish --server`), loaded by wrk in the same run with
# the same threads, connections and duration:
#   check-ins: GET <base>/demo/stable/pointer?device=<random id>&running=<id>, 9 in 10 with the
#              If-None-Match a device that runs the release sends (so the answer is a 304), 1 in 10
#              without (a 200 with the pointer);
#   downloads: GET <base>/demo/payloads/<sha256>.eiota (the whole payload).
# Prints requests per second, socket errors and non-2xx/3xx answers side by side (docs/FIGURES.md).
# Environment: DURATION (10s), THREADS (2), CONNECTIONS (32), NGINX_WORKERS (1), SERVE_THREADS
# (eiota serve's default when unset), EIOTA_BUILD_DIR (build), KEEP=1 keeps the work folder,
# SERVE=0 runs nginx alone (a baseline on a machine without eiota serve).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${EIOTA_BUILD_DIR:-$here/build}" && pwd)
eiota="$build/eiota"
gen="$build/tests/gen/eiota-fixture-gen"
duration="${DURATION:-10s}" threads="${THREADS:-2}" connections="${CONNECTIONS:-32}"
nginx_workers="${NGINX_WORKERS:-1}"
for tool in "$eiota" "$gen"; do [ -x "$tool" ] || { echo "wrk.sh: $tool is missing: build first (scripts/build.sh)" >&2; exit 1; }; done
nginx=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
[ -n "$nginx" ] || { echo "wrk.sh: nginx is not installed (scripts/deps.sh)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk.sh: wrk is not installed (scripts/deps.sh)" >&2; exit 1; }

work=$(mktemp -d /tmp/eiota-wrk.XXXXXX)
chmod 755 "$work"  # nginx workers (with a master process) run as another user
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then echo "wrk.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
wait_port() {  # port, pid, log
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "wrk.sh: nothing listens on port $1; its log:" >&2
  cat "$3" >&2
  exit 1
}

echo "== payload: fixture generator, patch, pack"
cd "$work"
"$gen" --era 2025 --layout arduino --name demo --synthetic fc-int8 --out old >/dev/null
"$gen" --era 2025 --layout arduino --name demo --synthetic fc-int8 --perturb 4 --out new >/dev/null
"$eiota" patch old -o patched --key k.key --no-check >/dev/null
"$eiota" pack --base patched new -o update.eiota --key k.key --sequence 7 >/dev/null
manifest=$(find patched -name eiota-manifest.json | head -1)

echo "== nginx on a static tree"
"$eiota" publish --static site --model demo --channel stable --base patched update.eiota
nginx_port=$(free_port)
mkdir -p nginx/tmp www/eiota
ln -s "$work/site" www/eiota/v1
cat >nginx/nginx.conf <<CONF
daemon off;
master_process off;
worker_processes $nginx_workers;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  sendfile on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    default_type application/octet-stream;
    location ~ /pointer\$ { default_type text/plain; add_header Cache-Control "no-cache"; }
    location ~ /payloads/ { add_header Cache-Control "public, max-age=31536000, immutable"; }
  }
}
CONF
if [ "$nginx_workers" != 1 ]; then sed -i 's/^master_process off;$//' nginx/nginx.conf; fi
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" >nginx/stdout.log 2>&1 &
pids+=($!)
wait_port "$nginx_port" "$!" nginx/error.log

serve_on="${SERVE:-1}"
if [ "$serve_on" != 0 ]; then
echo "== eiota serve (SQLite)"
db="sqlite:$work/serve.db"
"$eiota" serve-admin --db "$db" model --name demo --manifest "$manifest"
token=$("$eiota" serve-admin --db "$db" token --name bench | tail -1 | awk '{print $NF}')
serve_port=$(free_port)
"$eiota" serve --db "$db" --port "$serve_port" ${SERVE_THREADS:+--threads "$SERVE_THREADS"} >serve.log 2>&1 &
pids+=($!)
wait_port "$serve_port" "$!" serve.log
for _ in $(seq 1 100); do grep -q "listening on" serve.log && break; sleep 0.1; done
"$eiota" publish --server "http://127.0.0.1:$serve_port/eiota/v1" --token "$token" --model demo --channel stable update.eiota
fi

pointer=site/demo/stable/pointer
id=$(awk '$1 == "id" {print $2}' "$pointer")
payload_path=$(awk '$1 == "payload" {print $2}' "$pointer")
# nginx's ETag: the modification time and the size in hex; eiota serve's: the payload id.
nginx_etag=$(printf '"%x-%x"' $(stat -L -c '%Y %s' "$pointer"))
serve_etag="\"$id\""

checkin_lua() {  # etag -> a wrk script
  cat <<LUA
math.randomseed(os.time())
local etag = '$1'
request = function()
  local path = "/eiota/v1/demo/stable/pointer?device=bench-" .. math.random(1, 1000000) .. "&running=$id"
  if math.random(1, 10) == 1 then return wrk.format("GET", path) end
  return wrk.format("GET", path, { ["If-None-Match"] = etag })
end
LUA
}
checkin_lua "$nginx_etag" >nginx-checkin.lua
checkin_lua "$serve_etag" >serve-checkin.lua

# Both must answer a check-in that names the release with 304 and serve the same bytes, or the
# figures compare different work.
if command -v curl >/dev/null; then
  targets=("nginx $nginx_port $nginx_etag")
  [ "$serve_on" = 0 ] || targets+=("serve $serve_port $serve_etag")
  for t in "${targets[@]}"; do
    set -- $t
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $3" "http://127.0.0.1:$2/eiota/v1/demo/stable/pointer?device=x&running=$id")
    [ "$code" = 304 ] || echo "wrk.sh: warning: $1 answers a check-in of the current release with $code, not 304" >&2
    curl -s "http://127.0.0.1:$2/eiota/v1/demo/$payload_path" | cmp -s - update.eiota || echo "wrk.sh: warning: $1 serves other bytes than update.eiota" >&2
  done
fi

run_wrk() {  # label, url, [lua]
  local out="$work/$1.wrk"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency ${3:+-s "$3"} "$2" >"$out" 2>&1 || true
  local rps errors non
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  errors=$(awk -F'[ ,]+' '/Socket errors:/ {print $4 + $6 + $8 + $10}' "$out")
  non=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  echo "${rps:-0} ${errors:-0} ${non:-0}"
}

echo "== wrk: $threads threads, $connections connections, $duration each"
read -r n_ci_rps n_ci_err n_ci_non < <(run_wrk nginx-checkin "http://127.0.0.1:$nginx_port/eiota/v1/demo/stable/pointer" nginx-checkin.lua)
read -r n_dl_rps n_dl_err n_dl_non < <(run_wrk nginx-download "http://127.0.0.1:$nginx_port/eiota/v1/demo/$payload_path")
s_ci_rps=- s_ci_err=- s_ci_non=- s_dl_rps=- s_dl_err=- s_dl_non=-
if [ "$serve_on" != 0 ]; then
  read -r s_ci_rps s_ci_err s_ci_non < <(run_wrk serve-checkin "http://127.0.0.1:$serve_port/eiota/v1/demo/stable/pointer" serve-checkin.lua)
  read -r s_dl_rps s_dl_err s_dl_non < <(run_wrk serve-download "http://127.0.0.1:$serve_port/eiota/v1/demo/$payload_path")
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
echo "payload $(stat -c %s update.eiota) bytes; $(nproc) cores; $("$nginx" -v 2>&1 | sed 's/^nginx version: //'), $("$eiota" --version)"
printf '%-22s %14s %14s %12s\n' "" "nginx" "eiota serve" "serve/nginx"
printf '%-22s %14s %14s %12s\n' "check-ins req/s" "$n_ci_rps" "$s_ci_rps" "$(ratio "$s_ci_rps" "$n_ci_rps")"
printf '%-22s %14s %14s\n' "check-ins errors" "$n_ci_err" "$s_ci_err"
printf '%-22s %14s %14s\n' "check-ins non-2xx/3xx" "$n_ci_non" "$s_ci_non"
printf '%-22s %14s %14s %12s\n' "downloads req/s" "$n_dl_rps" "$s_dl_rps" "$(ratio "$s_dl_rps" "$n_dl_rps")"
printf '%-22s %14s %14s\n' "downloads errors" "$n_dl_err" "$s_dl_err"
printf '%-22s %14s %14s\n' "downloads non-2xx/3xx" "$n_dl_non" "$s_dl_non"
