#!/usr/bin/env bash
# A local TicketFlow cluster: PostgreSQL (throwaway unless --postgres), Redis (membership; throwaway, append-only, with a
# generated password), N Orleans silos, M WebFronts, nginx in front.
# Everything lives in one state folder: $TICKETFLOW_CLUSTER_DIR, default deploy/.local-cluster/.
#
#   deploy/local-cluster.sh start [--silos N] [--webfronts M] [--port P] [--postgres CONNSTRING]
#                                 [--config Release|Debug] [--env NAME=VALUE]...
#                                 [--silo-env NAME=VALUE]... [--webfront-env NAME=VALUE]...
#   deploy/local-cluster.sh status
#   deploy/local-cluster.sh stop                # SIGCONTs paused silos, then SIGTERM
#   deploy/local-cluster.sh pids                # for tools: "silo-1 PID PORT running|paused|stopped MANAGEMENT_PORT" per line
#   deploy/local-cluster.sh env                 # for tools: KEY=value lines (POSTGRES_CONN, PORT, CLUSTER_ID, STATE, ...)
#   deploy/local-cluster.sh kill-silo [i]       # kill -9 silo i (default 1), paused or not, for chaos
#   deploy/local-cluster.sh restart-silo [i]    # (re)start silo i on its old port and environment; waits until it serves
#   deploy/local-cluster.sh pause-silo [i]      # SIGSTOP silo i: no heartbeats, the others declare it dead
#   deploy/local-cluster.sh resume-silo [i]     # SIGCONT silo i; if it was declared dead meanwhile it exits
#   deploy/local-cluster.sh silo-status [i]     # silo i's status in Orleans' membership (Redis): Active, Dead, ... or none
#   deploy/local-cluster.sh restart-redis       # SIGTERM Redis and start it again (same port, password, append-only file)
#   deploy/local-cluster.sh flush-redis         # FLUSHALL: Orleans' membership table is gone
#   deploy/local-cluster.sh dead-count          # how many silo generations Orleans' membership holds as Dead
#   deploy/local-cluster.sh restart-postgres    # pg_ctl restart -m fast of the cluster's own PostgreSQL
#
# TICKETFLOW_NICE=N (0-19) at start runs every process of the cluster at that niceness (tests sharing the machine).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
STATE=${TICKETFLOW_CLUSTER_DIR:-$SCRIPT_DIR/.local-cluster}
[[ $STATE == /* ]] || STATE=$PWD/$STATE   # processes are started from their bin folder, and tools read it from `env`
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
READY_TIMEOUT=${READY_TIMEOUT:-180}   # seconds for every WebFront to answer /health/ready with 200
STOP_TIMEOUT=${STOP_TIMEOUT:-40}      # seconds a silo gets after SIGTERM before SIGKILL
SILO_READY_TIMEOUT=${SILO_READY_TIMEOUT:-120}   # seconds restart-silo waits for the silo to serve grains (Orleans joins in seconds; a starved CI machine is slower)
PG_READY_TIMEOUT=${PG_READY_TIMEOUT:-60}   # seconds restart-postgres waits for pg_isready

log() { printf '[local-cluster] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# kill -0 also succeeds on a zombie (killed, not yet reaped by its new parent): not alive for us.
alive() {
    local stat
    if [[ -z ${1:-} ]] || ! kill -0 "$1" 2>/dev/null; then return 1; fi
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}
pid_of() { if [[ -f $1 ]]; then cat "$1"; fi; }
now_ms() { date +%s%3N; }
seconds_since() { local ms=$(($(now_ms) - $1)); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }   # start-ms -> "S.mmm"

# running, paused (pause-silo left a run/NAME.paused) or stopped
proc_state() {   # name (silo-2, webfront-1)
    local pid
    pid=$(pid_of "$STATE/run/$1.pid")
    if ! alive "$pid"; then echo stopped
    elif [[ -f $STATE/run/$1.paused ]]; then echo paused
    else echo running; fi
}

silo_index() {   # argument of the silo commands -> i (default 1); dies unless this cluster has silo i
    local i=${1:-1}
    [[ $i =~ ^[1-9][0-9]*$ ]] || die "silo index must be a positive number, not '$i'"
    [[ -f $STATE/run/silo-$i.port ]] || die "no silo $i in $STATE"
    echo "$i"
}

# A TCP port nobody listens on and that this run has not handed out yet.
declare -a TAKEN_PORTS=()
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 12000))   # below the ephemeral range (32768+), where outgoing connections take ports
        [[ " ${TAKEN_PORTS[*]:-} " == *" $p "* ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            TAKEN_PORTS+=("$p")
            echo "$p"
            return 0
        fi
    done
    die "no free port found"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Npgsql "Host=..;Port=..;Username=..;Password=..;Database=.." -> libpq keywords for psql.
npgsql_to_libpq() {
    local out="" pair key value
    IFS=';' read -ra pairs <<<"$1"
    for pair in "${pairs[@]}"; do
        [[ $pair == *=* ]] || continue
        key=$(echo "${pair%%=*}" | tr -d ' ' | tr '[:upper:]' '[:lower:]')
        value=${pair#*=}
        case $key in
            host|server) out+="host=$value " ;;
            port) out+="port=$value " ;;
            username|user|userid) out+="user=$value " ;;
            password) out+="password=$value " ;;
            database|db) out+="dbname=$value " ;;
            sslmode) out+="sslmode=$(echo "$value" | tr '[:upper:]' '[:lower:]') " ;;
        esac
    done
    echo "${out% }"
}

conn_port() {   # Npgsql connection string -> its port (5432 when it names none)
    local pair port=5432
    local -a pairs
    IFS=';' read -ra pairs <<<"$1"
    for pair in "${pairs[@]}"; do
        [[ $(echo "${pair%%=*}" | tr -d ' ' | tr '[:upper:]' '[:lower:]') == port ]] && port=${pair#*=}
    done
    echo "${port// /}"
}

quote_words() {   # words -> one line of shell-quoted words (printf %q), for cluster.env
    (($# == 0)) || { printf '%q ' "$@" | sed 's/ $//'; }
}

env_assignment() {   # option value -> dies unless value is NAME=VALUE
    [[ $2 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "$1 takes NAME=VALUE, not '$2'"
}

load_env() {
    [[ -f $STATE/cluster.env ]] || return 1
    # what cluster.env sets; the extra environment is absent in state written by older versions
    CLUSTER_ID="" SERVICE_ID="" OWN_PG=0 POSTGRES_CONN="" PSQL_CONN="" REDIS_PORT="" REDIS_CONN="" SILOS="" WEBFRONTS="" PORT="" CONFIG="" NICE=0
    EXTRA_ENV=() SILO_ENV=() WEBFRONT_ENV=()
    # shellcheck source=/dev/null
    source "$STATE/cluster.env"
}

redis_password() { local rest=${REDIS_CONN##*password=}; echo "${rest%%,*}"; }
rcli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --no-auth-warning -a "$(redis_password)" "$@"; }   # the cluster's Redis

# ---------------------------------------------------------------- processes

start_silo() {   # i port gateway-port management-port: a restart passes the same ports again
    local i=$1 port=$2 gateway=$3 management=$4
    echo "$port" >"$STATE/run/silo-$i.port"
    echo "$gateway" >"$STATE/run/silo-$i.gateway"
    echo "$management" >"$STATE/run/silo-$i.management"
    rm -f "$STATE/run/silo-$i.paused"
    (
        cd "$STATE/bin/silo"
        # --env and --silo-env come last so they override these; env(1) execs, so $! is the silo's pid
        TICKETFLOW_POSTGRES=$POSTGRES_CONN TICKETFLOW_REDIS=$REDIS_CONN \
        TICKETFLOW_SIGNING_KEY=$(cat "$STATE/signing.key") \
        TICKETFLOW_CLUSTER_CERT=$STATE/tls/member.crt TICKETFLOW_CLUSTER_KEY=$STATE/tls/member.key TICKETFLOW_CLUSTER_CA=$STATE/tls/ca.crt \
        Cluster__ClusterId=$CLUSTER_ID Cluster__ServiceId=$SERVICE_ID \
        Silo__Port=$port Silo__GatewayPort=$gateway Silo__AdvertisedAddress=127.0.0.1 Management__Port=$management \
            nohup nice -n "${NICE:-0}" env "${EXTRA_ENV[@]}" "${SILO_ENV[@]}" ./TicketFlow.Silo >>"$STATE/logs/silo-$i.log" 2>&1 </dev/null &
        echo $! >"$STATE/run/silo-$i.pid"
    )
    log "silo $i: pid $(cat "$STATE/run/silo-$i.pid"), silo port $port, gateway $gateway, metrics http://127.0.0.1:$management/metrics, log $STATE/logs/silo-$i.log"
}

start_webfront() {   # i port management-port
    local i=$1 port=$2 management=$3
    echo "$port" >"$STATE/run/webfront-$i.port"
    echo "$management" >"$STATE/run/webfront-$i.management"
    (
        cd "$STATE/bin/webfront"
        TICKETFLOW_POSTGRES=$POSTGRES_CONN TICKETFLOW_REDIS=$REDIS_CONN \
        TICKETFLOW_SIGNING_KEY=$(cat "$STATE/signing.key") \
        TICKETFLOW_CLUSTER_CERT=$STATE/tls/member.crt TICKETFLOW_CLUSTER_KEY=$STATE/tls/member.key TICKETFLOW_CLUSTER_CA=$STATE/tls/ca.crt \
        Cluster__ClusterId=$CLUSTER_ID Cluster__ServiceId=$SERVICE_ID Management__Port=$management \
            nohup nice -n "${NICE:-0}" env "${EXTRA_ENV[@]}" "${WEBFRONT_ENV[@]}" ./TicketFlow.WebFront --urls "http://127.0.0.1:$port" >>"$STATE/logs/webfront-$i.log" 2>&1 </dev/null &
        echo $! >"$STATE/run/webfront-$i.pid"
    )
    log "webfront $i: pid $(cat "$STATE/run/webfront-$i.pid"), http://127.0.0.1:$port, metrics http://127.0.0.1:$management/metrics, log $STATE/logs/webfront-$i.log"
}

# SIGTERM the pids in the given pid files, wait up to $2 seconds, then SIGKILL what is left.
# A paused (SIGSTOPped) process gets SIGCONT first: it would not act on SIGTERM until continued.
stop_pids() {   # "pidfile..." timeout label
    local files=$1 timeout=$2 label=$3 f pid deadline left
    local -a pids=()
    for f in $files; do
        [[ -f $f ]] || continue
        pid=$(cat "$f")
        if alive "$pid"; then
            if [[ -f ${f%.pid}.paused ]]; then log "$(basename "$f" .pid) is paused: SIGCONT"; kill -CONT "$pid" 2>/dev/null || true; fi
            kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid")
        fi
        rm -f "$f" "${f%.pid}.paused"
    done
    [[ ${#pids[@]} -gt 0 ]] || return 0
    log "stopping $label (pids ${pids[*]}), up to ${timeout}s"
    deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        left=0
        for pid in "${pids[@]}"; do alive "$pid" && left=1; done
        ((left)) || return 0
        sleep 0.5
    done
    for pid in "${pids[@]}"; do
        if alive "$pid"; then log "$label pid $pid did not stop in ${timeout}s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    done
}

ready_status() {   # port -> http code of /health/ready (000 if no answer)
    curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$1/health/ready" || true
}

# ---------------------------------------------------------------- postgres

pg_options() {   # port -> the server options (pg_ctl -o) shared by start and restart-postgres
    echo "-p $1 -k $STATE/pg/socket -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=500"
}

pg_ready() {   # port -> accepts connections
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d ticketflow -t 2 >/dev/null 2>&1
}

start_postgres() {
    local port pg=$STATE/pg
    rm -rf "$pg"
    mkdir -p "$pg/data" "$pg/socket"
    [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$pg"
    port=$(free_port)
    log "initdb into $pg/data"
    as_postgres "$PG_BIN/initdb" -D "$pg/data" -U postgres --auth=trust -E UTF8 >"$STATE/logs/initdb.log" 2>&1 \
        || die "initdb failed, see $STATE/logs/initdb.log"
    as_postgres nice -n "${NICE:-0}" "$PG_BIN/pg_ctl" -D "$pg/data" -l "$pg/postgres.log" -w -t 60 \
        -o "$(pg_options "$port")" start >/dev/null \
        || die "PostgreSQL did not start, see $pg/postgres.log"
    as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE ticketflow" >/dev/null
    POSTGRES_CONN="Host=127.0.0.1;Port=$port;Username=postgres;Database=ticketflow;Maximum Pool Size=60"
    PSQL_CONN="host=127.0.0.1 port=$port user=postgres dbname=ticketflow"
    log "PostgreSQL on 127.0.0.1:$port (data $pg/data, log $pg/postgres.log)"
}

# ---------------------------------------------------------------- redis

# Orleans' membership table: append-only persistence and a password, as a deployment runs it (the password never leaves $STATE).
start_redis() {
    local r=$STATE/redis password
    rm -rf "$r"
    mkdir -p "$r"
    if ! command -v redis-server >/dev/null; then
        log "redis-server is missing: apt-get install -y redis-server"
        # shellcheck disable=SC2024  # the log belongs to the caller, not root
        if [[ $(id -u) -eq 0 ]]; then apt-get install -y redis-server >"$STATE/logs/apt-redis.log" 2>&1; else sudo apt-get install -y redis-server >"$STATE/logs/apt-redis.log" 2>&1; fi \
            || die "could not install redis-server, see $STATE/logs/apt-redis.log"
    fi
    REDIS_PORT=$(free_port)
    password=$(openssl rand -hex 24)
    (umask 077; printf 'port %s\nbind 127.0.0.1\ndir %s\nappendonly yes\nrequirepass %s\ndaemonize yes\npidfile %s\nlogfile %s\nsave ""\n' \
        "$REDIS_PORT" "$r" "$password" "$r/redis.pid" "$STATE/logs/redis.log" >"$r/redis.conf")
    nice -n "${NICE:-0}" redis-server "$r/redis.conf" || die "redis-server did not start, see $STATE/logs/redis.log"
    wait_redis "$password"
    REDIS_CONN="127.0.0.1:$REDIS_PORT,password=$password,abortConnect=false"
    log "Redis on 127.0.0.1:$REDIS_PORT (append-only, password in $r/redis.conf, log $STATE/logs/redis.log)"
}

wait_redis() {   # password: until Redis answers PING (20 s)
    local deadline=$((SECONDS + 20))
    until redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --no-auth-warning -a "$1" ping 2>/dev/null | grep -q PONG; do
        ((SECONDS < deadline)) || die "redis-server does not answer on port $REDIS_PORT, see $STATE/logs/redis.log"
        sleep 0.1
    done
}

stop_redis() {
    local pid
    pid=$(pid_of "$STATE/redis/redis.pid")
    alive "$pid" || return 0
    log "stopping Redis (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
}

# ---------------------------------------------------------------- nginx

write_nginx_conf() {   # port webfront-ports...
    local port=$1; shift
    local n=$STATE/nginx p servers=""
    mkdir -p "$n/tmp"
    chmod 0777 "$n/tmp"   # nginx workers run as nobody when the master is root
    for p in "$@"; do servers+="        server 127.0.0.1:$p max_fails=3 fail_timeout=5s;"$'\n'; done
    cat >"$n/nginx.conf" <<EOF
# Generated by deploy/local-cluster.sh: load-balances the local WebFronts.
worker_processes 1;
worker_rlimit_nofile 20000;
pid $n/nginx.pid;
error_log $STATE/logs/nginx-error.log warn;

events { worker_connections 8192; }

http {
    access_log $STATE/logs/nginx-access.log;
    client_body_temp_path $n/tmp/body;
    proxy_temp_path $n/tmp/proxy;
    fastcgi_temp_path $n/tmp/fastcgi;
    uwsgi_temp_path $n/tmp/uwsgi;
    scgi_temp_path $n/tmp/scgi;

    map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }

    upstream webfront {
$servers        keepalive 64;
    }

    # SignalR: negotiate and the connection it returns must reach the same WebFront unless clients skip
    # negotiation (WebSockets only), so the hubs are pinned by client address.
    upstream webfront_hubs {
        ip_hash;
$servers    }

    server {
        listen $port;
        proxy_http_version 1.1;
        proxy_set_header Host \$host;
        proxy_set_header X-Real-IP \$remote_addr;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;
        # Only a WebFront that cannot be reached is skipped; its 503 (with Retry-After) is an answer for the client, and
        # counting it as a failure would take every WebFront out at once while the database restarts.
        proxy_next_upstream error timeout;

        location /hubs/ {
            proxy_pass http://webfront_hubs;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }

        location / {
            proxy_pass http://webfront;
            proxy_set_header Connection "";
        }
    }
}
EOF
}

# ---------------------------------------------------------------- commands

cmd_start() {
    local silos=3 webfronts=2 port=8080 postgres="" config=${TICKETFLOW_BUILD_CONFIGURATION:-Release} i p
    EXTRA_ENV=() SILO_ENV=() WEBFRONT_ENV=()
    # Niceness of every process the cluster runs (kept for restarts): tests sharing the machine run it at 10.
    NICE=${TICKETFLOW_NICE:-0}
    [[ $NICE =~ ^[0-9]+$ && $NICE -le 19 ]] || die "TICKETFLOW_NICE takes 0 to 19"
    while [[ $# -gt 0 ]]; do
        [[ $1 == --* && $# -ge 2 ]] || die "${1:-} needs a value, or is no option (see the header of $0)"
        case $1 in
            --silos) silos=$2 ;;
            --webfronts) webfronts=$2 ;;
            --port) port=$2 ;;
            --postgres) postgres=$2 ;;
            --config) config=$2 ;;
            --env) env_assignment "$1" "$2"; EXTRA_ENV+=("$2") ;;
            --silo-env) env_assignment "$1" "$2"; SILO_ENV+=("$2") ;;
            --webfront-env) env_assignment "$1" "$2"; WEBFRONT_ENV+=("$2") ;;
            *) die "unknown option $1 (see the header of $0)" ;;
        esac
        shift 2
    done
    [[ $silos =~ ^[1-9][0-9]*$ && $webfronts =~ ^[1-9][0-9]*$ && $port =~ ^[0-9]+$ ]] || die "--silos, --webfronts and --port take positive numbers"
    [[ $config == Release || $config == Debug ]] || die "--config (or TICKETFLOW_BUILD_CONFIGURATION) is Release or Debug, not '$config'"

    mkdir -p "$STATE/run" "$STATE/logs" "$STATE/bin"
    for f in "$STATE"/run/*.pid "$STATE/nginx/nginx.pid"; do
        [[ -f $f ]] && alive "$(cat "$f")" && die "a cluster is already running in $STATE (pid file $f): run '$0 stop' first"
    done
    rm -f "$STATE"/run/*
    port_in_use "$port" && die "port $port is already in use"

    if ! command -v nginx >/dev/null; then
        log "nginx is missing: apt-get install -y nginx"
        # shellcheck disable=SC2024  # the log belongs to the caller, not root
        if [[ $(id -u) -eq 0 ]]; then apt-get install -y nginx >"$STATE/logs/apt-nginx.log" 2>&1; else sudo apt-get install -y nginx >"$STATE/logs/apt-nginx.log" 2>&1; fi \
            || die "could not install nginx, see $STATE/logs/apt-nginx.log"
    fi

    log "building Silo and WebFront ($config) into $STATE/bin"
    nice -n "$NICE" dotnet publish "$REPO_DIR/Silo/TicketFlow.Silo.csproj" -c "$config" -o "$STATE/bin/silo" --nologo -v quiet >"$STATE/logs/build-silo.log" 2>&1 \
        || { tail -20 "$STATE/logs/build-silo.log" >&2; die "Silo build failed"; }
    nice -n "$NICE" dotnet publish "$REPO_DIR/WebFront/TicketFlow.WebFront.csproj" -c "$config" -o "$STATE/bin/webfront" --nologo -v quiet >"$STATE/logs/build-webfront.log" 2>&1 \
        || { tail -20 "$STATE/logs/build-webfront.log" >&2; die "WebFront build failed"; }

    CLUSTER_ID=${TICKETFLOW_CLUSTER_ID:-ticketflow-local}
    SERVICE_ID=${TICKETFLOW_SERVICE_ID:-ticketflow-local}
    if [[ -n $postgres ]]; then
        OWN_PG=0
        POSTGRES_CONN=$postgres
        PSQL_CONN=$(npgsql_to_libpq "$postgres")
    else
        OWN_PG=1
        start_postgres
    fi
    start_redis
    if [[ ! -s $STATE/signing.key ]]; then
        (umask 077; openssl rand -base64 32 >"$STATE/signing.key")
        log "new signing key in $STATE/signing.key"
    fi
    if [[ ! -s $STATE/tls/member.crt ]]; then   # the cluster's throwaway CA: only these processes can join or call a grain
        "$SCRIPT_DIR/cluster-certs.sh" "$STATE/tls" local-cluster >/dev/null
        log "new cluster certificates in $STATE/tls"
    fi
    {
        printf 'CLUSTER_ID=%q\nSERVICE_ID=%q\nOWN_PG=%q\n' "$CLUSTER_ID" "$SERVICE_ID" "$OWN_PG"
        printf 'POSTGRES_CONN=%q\nPSQL_CONN=%q\nREDIS_PORT=%q\nREDIS_CONN=%q\n' "$POSTGRES_CONN" "$PSQL_CONN" "$REDIS_PORT" "$REDIS_CONN"
        printf 'SILOS=%q\nWEBFRONTS=%q\nPORT=%q\nCONFIG=%q\nNICE=%q\n' "$silos" "$webfronts" "$port" "$config" "$NICE"
        printf 'EXTRA_ENV=(%s)\nSILO_ENV=(%s)\nWEBFRONT_ENV=(%s)\n' \
            "$(quote_words "${EXTRA_ENV[@]}")" "$(quote_words "${SILO_ENV[@]}")" "$(quote_words "${WEBFRONT_ENV[@]}")"
    } >"$STATE/cluster.env"
    chmod 600 "$STATE/cluster.env"

    ((${#EXTRA_ENV[@]} == 0)) || log "extra environment for every process: ${EXTRA_ENV[*]}"
    ((${#SILO_ENV[@]} == 0)) || log "extra environment for silos: ${SILO_ENV[*]}"
    ((${#WEBFRONT_ENV[@]} == 0)) || log "extra environment for WebFronts: ${WEBFRONT_ENV[*]}"
    for ((i = 1; i <= silos; i++)); do start_silo "$i" "$(free_port)" "$(free_port)" "$(free_port)"; done
    local -a wf_ports=()
    for ((i = 1; i <= webfronts; i++)); do
        p=$(free_port); wf_ports+=("$p"); start_webfront "$i" "$p" "$(free_port)"
    done
    if [[ -n ${TICKETFLOW_ADMIN_EMAIL:-} ]]; then
        log "admin account: $TICKETFLOW_ADMIN_EMAIL (from TICKETFLOW_ADMIN_EMAIL/TICKETFLOW_ADMIN_PASSWORD)"
    fi

    log "waiting up to ${READY_TIMEOUT}s for every WebFront's /health/ready"
    local deadline=$((SECONDS + READY_TIMEOUT)) pending
    while :; do
        pending=0
        for ((i = 1; i <= webfronts; i++)); do
            [[ $(ready_status "${wf_ports[i - 1]}") == 200 ]] || pending=$((pending + 1))
        done
        for f in "$STATE"/run/*.pid; do
            alive "$(cat "$f")" || { log "$(basename "$f" .pid) exited:"; tail -15 "$STATE/logs/$(basename "$f" .pid).log" >&2; die "start failed ('$0 stop' cleans up)"; }
        done
        ((pending == 0)) && break
        ((SECONDS < deadline)) || die "$pending WebFront(s) not ready after ${READY_TIMEOUT}s; see $STATE/logs ('$0 stop' cleans up)"
        sleep 1
    done

    write_nginx_conf "$port" "${wf_ports[@]}"
    nginx -t -q -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/logs/nginx-error.log" \
        || die "nginx config test failed ($STATE/nginx/nginx.conf)"
    nice -n "${NICE:-0}" nginx -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/logs/nginx-error.log"
    deadline=$((SECONDS + 15))
    until [[ $(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$port/health/live" || true) == 200 ]]; do
        ((SECONDS < deadline)) || die "nginx on port $port does not answer; see $STATE/logs/nginx-error.log"
        sleep 0.3
    done

    cat <<EOF

TicketFlow cluster is up: $silos silo(s), $webfronts WebFront(s), cluster '$CLUSTER_ID'
  URL:      http://localhost:$port/   (e.g. curl http://localhost:$port/health/ready)
  status:   $0 status
  stop:     $0 stop
  chaos:    $0 kill-silo 2 | pause-silo 2 | resume-silo 2 | restart-silo 2 | restart-postgres
  tools:    $0 pids   |   $0 env
  state:    $STATE   (logs in $STATE/logs)
EOF
    if [[ -z ${TICKETFLOW_ADMIN_EMAIL:-} ]]; then
        echo "  admin:    none; start with TICKETFLOW_ADMIN_EMAIL=... TICKETFLOW_ADMIN_PASSWORD=... to create one"
    fi
}

cmd_stop() {
    if [[ ! -d $STATE ]]; then log "nothing to stop ($STATE does not exist)"; return 0; fi
    local pid
    pid=$(pid_of "$STATE/nginx/nginx.pid")
    if alive "$pid"; then
        log "stopping nginx (pid $pid)"
        kill -QUIT "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + 10))
        while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
        if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    stop_pids "$(echo "$STATE"/run/webfront-*.pid)" 15 "WebFronts"
    stop_pids "$(echo "$STATE"/run/silo-*.pid)" "$STOP_TIMEOUT" "silos"
    stop_redis
    if load_env && [[ ${OWN_PG:-0} == 1 && -f $STATE/pg/data/postmaster.pid ]]; then
        log "stopping PostgreSQL"
        as_postgres "$PG_BIN/pg_ctl" -D "$STATE/pg/data" -m fast -w stop >/dev/null || true
    fi
    log "stopped (state and logs kept in $STATE)"
}

cmd_status() {
    load_env || { echo "no cluster state in $STATE"; return 0; }
    local f name pid state port code
    printf '%-12s %-8s %-8s %-7s %s\n' PROCESS PID STATE PORT READY
    for f in "$STATE"/run/silo-*.port "$STATE"/run/webfront-*.port; do
        [[ -f $f ]] || continue
        name=$(basename "$f" .port); port=$(cat "$f"); pid=$(pid_of "$STATE/run/$name.pid")
        state=$(proc_state "$name")
        code=-
        if [[ $name == webfront-* ]]; then
            code=$(curl -s -m 3 "http://127.0.0.1:$port/health/ready" 2>/dev/null | grep -o '"status" *: *"[A-Za-z]*"' | head -1 | sed 's/.*"\([A-Za-z]*\)"$/\1/' || true)
            code="$(ready_status "$port") ${code:-}"
        fi
        printf '%-12s %-8s %-8s %-7s %s\n' "$name" "${pid:--}" "$state" "$port" "$code"
    done
    pid=$(pid_of "$STATE/nginx/nginx.pid")
    if alive "$pid"; then state=running; else state=stopped; fi
    printf '%-12s %-8s %-8s %-7s %s\n' nginx "${pid:--}" "$state" "$PORT" \
        "$(alive "$pid" && ready_status "$PORT" || echo -)"
    if [[ $OWN_PG == 1 ]]; then
        if [[ -f $STATE/pg/data/postmaster.pid ]] && as_postgres "$PG_BIN/pg_ctl" -D "$STATE/pg/data" status >/dev/null 2>&1; then
            echo "postgres     running  ($PSQL_CONN)"
        else
            echo "postgres     stopped"; return 0
        fi
    fi
    echo
    echo "membership (cluster '$CLUSTER_ID', Redis hash '$SERVICE_ID/members/$CLUSTER_ID'; the WebFronts' /api/v1/admin/cluster shows statuses):"
    rcli HKEYS "$SERVICE_ID/members/$CLUSTER_ID" 2>/dev/null \
        | sed 's/^/  /' || echo "  (Redis not reachable)"
}

cmd_kill_silo() {
    local i pid
    i=$(silo_index "${1:-}")
    pid=$(pid_of "$STATE/run/silo-$i.pid")
    alive "$pid" || die "silo $i is not running"
    kill -KILL "$pid"   # SIGKILL needs no SIGCONT: it ends a stopped process too
    rm -f "$STATE/run/silo-$i.paused"
    local deadline=$((SECONDS + 10))   # so that `pids` right after says stopped
    while alive "$pid"; do ((SECONDS < deadline)) || die "silo $i (pid $pid) still there 10s after SIGKILL"; sleep 0.1; done
    log "silo $i (pid $pid) killed with SIGKILL; the others declare it dead once it misses its probes"
}

cmd_restart_silo() {
    local i port gateway management
    load_env || die "no cluster state in $STATE"
    i=$(silo_index "${1:-}")
    port=$(cat "$STATE/run/silo-$i.port")
    gateway=$(cat "$STATE/run/silo-$i.gateway")
    management=$(cat "$STATE/run/silo-$i.management")
    stop_pids "$STATE/run/silo-$i.pid" "$STOP_TIMEOUT" "silo $i"
    local log=$STATE/logs/silo-$i.log offset started pid
    offset=$(if [[ -f $log ]]; then stat -c %s "$log"; else echo 0; fi)
    started=$(now_ms)
    start_silo "$i" "$port" "$gateway" "$management"
    # Its port opens before it has joined the cluster; the silo prints this line once it has.
    pid=$(cat "$STATE/run/silo-$i.pid")
    local deadline=$((SECONDS + SILO_READY_TIMEOUT))
    until tail -c +$((offset + 1)) "$log" | grep -q 'is serving grains'; do
        alive "$pid" || { tail -c +$((offset + 1)) "$log" | tail -15 >&2; die "silo $i exited while starting"; }
        ((SECONDS < deadline)) || die "silo $i does not serve grains after ${SILO_READY_TIMEOUT}s; see $log"
        sleep 0.2
    done
    log "silo $i serves grains (joined the cluster) $(seconds_since "$started")s after its start"
}

cmd_pause_silo() {
    local i pid
    i=$(silo_index "${1:-}")
    pid=$(pid_of "$STATE/run/silo-$i.pid")
    alive "$pid" || die "silo $i is not running"
    [[ ! -f $STATE/run/silo-$i.paused ]] || die "silo $i is already paused (resume-silo $i)"
    kill -STOP "$pid"
    now_ms >"$STATE/run/silo-$i.paused"
    log "silo $i (pid $pid) paused with SIGSTOP: it answers no probes, the others declare it dead"
}

cmd_resume_silo() {
    local i pid paused_at
    i=$(silo_index "${1:-}")
    pid=$(pid_of "$STATE/run/silo-$i.pid")
    [[ -f $STATE/run/silo-$i.paused ]] || die "silo $i is not paused"
    paused_at=$(cat "$STATE/run/silo-$i.paused")
    rm -f "$STATE/run/silo-$i.paused"
    alive "$pid" || die "silo $i is not running any more (killed while paused?)"
    kill -CONT "$pid"
    log "silo $i (pid $pid) resumed with SIGCONT after $(seconds_since "$paused_at")s paused; if the cluster declared it dead meanwhile it exits"
}

cmd_restart_postgres() {
    local port started pid
    load_env || die "no cluster state in $STATE"
    [[ $OWN_PG == 1 ]] || die "PostgreSQL is external (start --postgres): restart it where it runs; restart-postgres only restarts the cluster's own"
    [[ -f $STATE/pg/data/postmaster.pid ]] || die "the cluster's PostgreSQL is not running ($STATE/pg/data)"
    port=$(conn_port "$POSTGRES_CONN")
    log "restarting PostgreSQL on 127.0.0.1:$port (pg_ctl restart -m fast)"
    started=$(now_ms)
    as_postgres nice -n "${NICE:-0}" "$PG_BIN/pg_ctl" -D "$STATE/pg/data" -l "$STATE/pg/postgres.log" -m fast -w -t "$PG_READY_TIMEOUT" \
        -o "$(pg_options "$port")" restart >/dev/null \
        || die "pg_ctl restart failed, see $STATE/pg/postgres.log"
    local deadline=$((SECONDS + PG_READY_TIMEOUT))
    until pg_ready "$port"; do
        ((SECONDS < deadline)) || die "PostgreSQL does not accept connections ${PG_READY_TIMEOUT}s after the restart; see $STATE/pg/postgres.log"
        sleep 0.1
    done
    pid=$(head -1 "$STATE/pg/data/postmaster.pid")
    log "PostgreSQL (pid $pid) accepts connections again: down for at most $(seconds_since "$started")s (restart to pg_isready)"
}

# One line per process for tools: NAME PID PORT STATE [MANAGEMENT_PORT] (PID "-" when there is none).
cmd_pids() {
    load_env || die "no cluster state in $STATE"
    local f name pid state
    for f in "$STATE"/run/silo-*.port "$STATE"/run/webfront-*.port; do
        [[ -f $f ]] || continue
        name=$(basename "$f" .port)
        pid=$(pid_of "$STATE/run/$name.pid")
        echo "$name ${pid:--} $(cat "$f") $(proc_state "$name") $(cat "$STATE/run/$name.management" 2>/dev/null || echo -)"
    done
    pid=$(pid_of "$STATE/redis/redis.pid")
    if alive "$pid"; then state=running; else state=stopped; fi
    echo "redis ${pid:--} $REDIS_PORT $state"
    pid=$(pid_of "$STATE/nginx/nginx.pid")
    if alive "$pid"; then state=running; else state=stopped; fi
    echo "nginx ${pid:--} $PORT $state"
    if [[ $OWN_PG == 1 ]]; then
        pid=$(if [[ -f $STATE/pg/data/postmaster.pid ]]; then head -1 "$STATE/pg/data/postmaster.pid"; fi)
        if alive "$pid"; then state=running; else state=stopped; fi
        echo "postgres ${pid:--} $(conn_port "$POSTGRES_CONN") $state"
    else
        echo "postgres - $(conn_port "$POSTGRES_CONN") external"
    fi
}

# KEY=value lines for tools: split at the first '='; values are not shell-quoted (POSTGRES_CONN holds ';').
# Orleans' SiloStatus, as the membership table stores it (a number).
SILO_STATUSES=(None Created Joining Active ShuttingDown Stopping Dead)

cmd_silo_status() {
    load_env || die "no cluster state in $STATE"
    local i port newest
    i=$(silo_index "${1:-}")
    port=$(cat "$STATE/run/silo-$i.port")
    # Each start of the silo is a new generation (address@generation); the newest one is the silo as it runs now.
    newest=$(rcli \
            HVALS "$SERVICE_ID/members/$CLUSTER_ID" 2>/dev/null \
        | grep -o "\"SiloAddress\":\"[^\"]*:$port@[0-9]*\"},\"Status\":[0-9]*" \
        | sed -E 's/.*@([0-9]+)"\},"Status":([0-9]+)$/\1 \2/' | sort -n | tail -1 || true)
    if [[ -z $newest ]]; then echo none; else echo "${SILO_STATUSES[${newest#* }]:-${newest#* }}"; fi
}

cmd_restart_redis() {   # SIGTERM (Redis writes its append-only file), then the same config: same port, password, data
    local started
    load_env || die "no cluster state in $STATE"
    started=$(now_ms)
    stop_redis
    nice -n "${NICE:-0}" redis-server "$STATE/redis/redis.conf" || die "redis-server did not start, see $STATE/logs/redis.log"
    wait_redis "$(redis_password)"
    echo "in $(( $(now_ms) - started )) ms"
}

cmd_flush_redis() {   # FLUSHALL: Orleans' membership table is gone (the silos notice and exit to rejoin)
    load_env || die "no cluster state in $STATE"
    rcli FLUSHALL >/dev/null || die "FLUSHALL failed"
    log "Redis flushed"
}

cmd_dead_count() {
    load_env || die "no cluster state in $STATE"
    rcli HVALS "$SERVICE_ID/members/$CLUSTER_ID" 2>/dev/null \
        | grep -c '"Status":6' || true
}

cmd_env() {
    load_env || die "no cluster state in $STATE"
    printf '%s\n' "POSTGRES_CONN=$POSTGRES_CONN" "PSQL_CONN=$PSQL_CONN" "PORT=$PORT" "URL=http://127.0.0.1:$PORT" \
        "CLUSTER_ID=$CLUSTER_ID" "SERVICE_ID=$SERVICE_ID" "REDIS_PORT=$REDIS_PORT" "SILOS=$SILOS" "WEBFRONTS=$WEBFRONTS" "OWN_PG=$OWN_PG" "CONFIG=$CONFIG" "STATE=$STATE"
}

case ${1:-} in
    start) shift; cmd_start "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    pids) cmd_pids ;;
    env) cmd_env ;;
    kill-silo) shift; cmd_kill_silo "$@" ;;
    restart-silo) shift; cmd_restart_silo "$@" ;;
    pause-silo) shift; cmd_pause_silo "$@" ;;
    resume-silo) shift; cmd_resume_silo "$@" ;;
    silo-status) shift; cmd_silo_status "$@" ;;
    dead-count) cmd_dead_count ;;
    restart-redis) cmd_restart_redis ;;
    flush-redis) cmd_flush_redis ;;
    restart-postgres) cmd_restart_postgres ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
