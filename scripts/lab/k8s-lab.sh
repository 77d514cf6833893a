#!/usr/bin/env bash
# k8s-lab.sh: one small Kubernetes control plane per site (etcd, kube-apiserver,
# kube-controller-manager) inside that site's network namespace from sites.sh, the Velero and
# Prometheus operator CRDs installed in it, and on demand the real `velero server` for that site,
# running outside the cluster against its kubeconfig ("Velero installed by someone else").
#
#   k8s-lab.sh up [SITE] | down [SITE] [--purge] | status
#   k8s-lab.sh velero-start SITE | velero-stop SITE
#   k8s-lab.sh monitoring-start SITE | monitoring-stop SITE
#                                       the site's kube-state-metrics and Prometheus, from the files
#                                       the lab wrote into <site>/k8s/monitoring/ (see monitoring.ts)
#   k8s-lab.sh env SITE                 KUBECONFIG=... / KUBECTL=... / VELERO=... lines
#   k8s-lab.sh kubectl SITE ARGS...     the built kubectl against that site's cluster
#   k8s-lab.sh velero SITE ARGS...      the built velero CLI against that site's cluster
#
# State lives under $LAB_DIR/<site>/k8s/ (pki/, etcd/, log/, run/, velero/, kubeconfig). Every
# daemon is started with a pid file and stopped by that pid, never by process name. The binaries
# are the ones scripts/tools/install.sh builds (paths from scripts/tools/tools.tsv). No kubelet, no
# scheduler: the clusters hold API objects (CRDs, Secrets, BSLs, Schedules, Backups), not pods.
# See scripts/lab/README-k8s.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
SITES_SH="$SCRIPT_DIR/sites.sh"
SETTINGS_FILE_NAME=k8s-lab.env
SETTING_NAMES=(LAB_NET LAB_BRIDGE LAB_NETNS_A LAB_NETNS_B)

# The Prometheus operator CRDs come from the operator's own Go module: its module zip carries
# example/prometheus-operator-crd/monitoring.coreos.com_<plural>.yaml. The version is the newest
# the Go module proxy serves (`go list -m -versions github.com/prometheus-operator/prometheus-operator`).
PROMETHEUS_OPERATOR_MODULE=github.com/prometheus-operator/prometheus-operator
PROMETHEUS_OPERATOR_VERSION=v0.85.0
PROMETHEUS_CRDS=(prometheusrules servicemonitors podmonitors)

# Each netns has its own loopback and address, so both sites use the same ports.
APISERVER_PORT=6443
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
KCM_PORT=10257
VELERO_METRICS_PORT=8085
VELERO_PROFILER_PORT=6060
# Not 8080: velero server's controller-runtime metrics listen there, on the same site address.
KSM_PORT=8082
KSM_TELEMETRY_PORT=8083
PROMETHEUS_PORT=9090
SERVICE_CIDR=10.96.0.0/16 # must not overlap LAB_NET; the first address is the kubernetes Service
SERVICE_IP=10.96.0.1
VELERO_NAMESPACE=velero
NAMESPACES=(monitoring "$VELERO_NAMESPACE")
# The lab only talks to LAB_NET and 127.0.0.1: a proxy from the caller's environment must never be
# used by the daemons, curl or kubectl (go mod download keeps it: it fetches from the proxy).
PROXY_VARS=(http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY)

log() { printf 'k8s-lab: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

usage() {
  cat >&2 <<'EOF'
usage: k8s-lab.sh up [SITE] | down [SITE] [--purge] | status
       k8s-lab.sh velero-start SITE | velero-stop SITE
       k8s-lab.sh monitoring-start SITE | monitoring-stop SITE
       k8s-lab.sh env SITE | kubectl SITE ARGS... | velero SITE ARGS...     (SITE is a or b)
settings (environment): LAB_DIR LAB_NET LAB_BRIDGE LAB_NETNS_A LAB_NETNS_B LAB_TIMEOUT
  VELERO_CEPH_DR_TOOLS (where scripts/tools/install.sh put the binaries)
EOF
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

# From the environment, else from the values saved by the first `up` of this LAB_DIR, else the
# defaults (the same as sites.sh).
load_settings() {
  LAB_DIR=${LAB_DIR:-/tmp/velero-ceph-dr-lab}
  case "$LAB_DIR" in /*) ;; *) LAB_DIR="$PWD/$LAB_DIR" ;; esac
  LAB_DIR=${LAB_DIR%/}
  # Paths are matched in /proc/PID/cmdline and written into kubeconfigs: keep them plain.
  [[ "$LAB_DIR" =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "LAB_DIR must be an absolute path of [A-Za-z0-9._/+-], got '$LAB_DIR'"
  local saved="$LAB_DIR/$SETTINGS_FILE_NAME" line key value
  if [[ -f "$saved" ]]; then
    while IFS= read -r line; do
      key=${line%%=*} value=${line#*=}
      [[ " ${SETTING_NAMES[*]} " == *" $key "* && "$value" =~ ^[A-Za-z0-9._-]+$ ]] || continue
      [[ -n "${!key:-}" ]] || printf -v "$key" '%s' "$value"
    done <"$saved"
  fi
  LAB_NET=${LAB_NET:-10.213.0}
  LAB_BRIDGE=${LAB_BRIDGE:-vcdr-br0}
  LAB_NETNS_A=${LAB_NETNS_A:-vcdr-a}
  LAB_NETNS_B=${LAB_NETNS_B:-vcdr-b}
  LAB_TIMEOUT=${LAB_TIMEOUT:-120}
  [[ "$LAB_NET" =~ ^10\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "LAB_NET must be the first three octets of a 10.x.y.0/24 network, got '$LAB_NET'"
  [[ "$LAB_NET" != 10.96.* ]] || die "LAB_NET must not overlap the clusters' service CIDR $SERVICE_CIDR"
  local name
  for name in LAB_BRIDGE LAB_NETNS_A LAB_NETNS_B; do
    [[ "${!name}" =~ ^[a-z0-9-]{1,12}$ ]] || die "$name must be 1 to 12 of [a-z0-9-], got '${!name}'"
  done
  [[ "$LAB_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "LAB_TIMEOUT must be a positive integer, got '$LAB_TIMEOUT'"
  export LAB_DIR LAB_NET LAB_BRIDGE LAB_NETNS_A LAB_NETNS_B LAB_TIMEOUT
}

save_settings() {
  mkdir -p "$LAB_DIR"
  local name
  for name in "${SETTING_NAMES[@]}"; do printf '%s=%s\n' "$name" "${!name}"; done >"$LAB_DIR/$SETTINGS_FILE_NAME"
}

check_site() { [[ "${1:-}" == a || "${1:-}" == b ]] || die "site must be 'a' or 'b', got '${1:-}'"; }
netns_of() { if [[ "$1" == a ]]; then printf '%s' "$LAB_NETNS_A"; else printf '%s' "$LAB_NETNS_B"; fi; }
addr_of() { if [[ "$1" == a ]]; then printf '%s.11' "$LAB_NET"; else printf '%s.12' "$LAB_NET"; fi; }
k8s_dir() { printf '%s/%s/k8s' "$LAB_DIR" "$1"; }
kubeconfig_of() { printf '%s/kubeconfig' "$(k8s_dir "$1")"; }
server_of() { printf 'https://%s:%s' "$(addr_of "$1")" "$APISERVER_PORT"; }
have_netns() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

# ---------------------------------------------------------------------------------------------
# Tools: the binaries scripts/tools/install.sh builds, located through its tools.tsv
# ---------------------------------------------------------------------------------------------

# shellcheck source=scripts/tools/common.sh
. "$SCRIPT_DIR/../tools/common.sh"

# The path of tool NAME; dies, naming the install command, when it has not been built yet.
tool() {
  local name="$1" version path
  version=$(tools_rows | awk -F '\t' -v n="$name" '$1 == n { print $2 }')
  [[ -n "$version" ]] || die "$name is not in $TOOLS_TSV"
  path="$(tools_dir)/$name/$version/$name"
  [[ -x "$path" ]] || die "$name $version is not built (no $path): run 'bash scripts/tools/install.sh'"
  printf '%s' "$path"
}

# Dies unless every tool NAME... is built (call before "$(tool NAME)", whose failure a command
# substitution would swallow).
need_tools() {
  local name
  for name in "$@"; do tool "$name" >/dev/null; done
}

# The directory of the Prometheus operator module at the pinned version (downloads it once).
prometheus_operator_dir() {
  local json dir
  command -v go >/dev/null || die "go is needed to fetch $PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION"
  json=$(cd / && GO111MODULE=on GOFLAGS=-mod=mod go mod download -json "$PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION") ||
    die "go mod download $PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION failed: $json"
  dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [[ -d "$dir/example/prometheus-operator-crd" ]] || die "no example/prometheus-operator-crd in '$dir' ($PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION)"
  printf '%s' "$dir"
}

# ---------------------------------------------------------------------------------------------
# Running things inside a site's netns
# ---------------------------------------------------------------------------------------------

# Runs CMD in SITE's netns without the caller's proxy settings.
in_site() {
  local site="$1" unset_args=() var
  shift
  for var in "${PROXY_VARS[@]}"; do unset_args+=(-u "$var"); done
  ip netns exec "$(netns_of "$site")" env "${unset_args[@]}" "$@"
}

# The site's kubectl, run on the host (as the Pulumi engine reaches the cluster).
site_kubectl() {
  local site="$1" unset_args=() var kubectl
  shift
  kubectl=$(tool kubectl)
  for var in "${PROXY_VARS[@]}"; do unset_args+=(-u "$var"); done
  env "${unset_args[@]}" "$kubectl" --kubeconfig "$(kubeconfig_of "$site")" "$@"
}

ensure_netns() {
  local site="$1"
  have_netns "$(netns_of "$site")" && return 0
  log "site $site: no netns $(netns_of "$site"); running sites.sh up"
  bash "$SITES_SH" up
}

# ---------------------------------------------------------------------------------------------
# Processes: pid files, liveness
# ---------------------------------------------------------------------------------------------

pid_file() { printf '%s/run/%s.pid' "$(k8s_dir "$1")" "$2"; }
log_file() { printf '%s/log/%s.log' "$(k8s_dir "$1")" "$2"; }

# True if PID runs binary NAME with an argument under this site's k8s dir (guards against stale
# pid files, pid reuse and other labs' daemons). For velero only the `velero server` process
# counts, not the plugin processes it starts.
is_lab_process() {
  local pid="$1" site="$2" name="$3" argv=() arg dir
  dir="$(k8s_dir "$site")/"
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  mapfile -d '' argv 2>/dev/null <"/proc/$pid/cmdline" || return 1
  ((${#argv[@]} > 1)) || return 1
  [[ "$(basename "${argv[0]}")" == "$name" ]] || return 1
  [[ "$name" != velero || "${argv[1]}" == server ]] || return 1
  for arg in "${argv[@]:1}"; do
    [[ "$arg" == *"$dir"* ]] && return 0
  done
  return 1
}

# The pid of daemon NAME of SITE if it runs (from its pid file only).
daemon_pid() {
  local site="$1" name="$2" pidf pid
  pidf=$(pid_file "$site" "$name")
  [[ -s "$pidf" ]] || return 1
  pid=$(<"$pidf")
  [[ "$pid" =~ ^[0-9]+$ ]] && is_lab_process "$pid" "$site" "$name" || return 1
  printf '%s' "$pid"
}

# True while the process in NAME's pid file exists and is no zombie (also right after the fork,
# before it has exec'ed the daemon and is_lab_process would recognise it).
daemon_alive() {
  local pidf state
  pidf=$(pid_file "$1" "$2")
  [[ -s "$pidf" ]] || return 1
  state=$(awk '{ print $3 }' "/proc/$(<"$pidf")/stat" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# Starts BIN ARGS... as daemon NAME of SITE in the site's netns, in its own session, output to
# its log file. setsid and `ip netns exec` and env exec in place, so $! is the daemon's pid.
start_daemon() {
  local site="$1" name="$2" pid unset_args=() var
  shift 2
  for var in "${PROXY_VARS[@]}"; do unset_args+=(-u "$var"); done
  if pid=$(daemon_pid "$site" "$name"); then
    log "site $site: $name already runs (pid $pid)"
    return 0
  fi
  mkdir -p "$(k8s_dir "$site")/run" "$(k8s_dir "$site")/log"
  printf '\n==== %s: starting %s\n' "$(date -u +%FT%TZ)" "$name" >>"$(log_file "$site" "$name")"
  local ns logf
  ns=$(netns_of "$site")
  logf=$(log_file "$site" "$name")
  (
    # Only stdin/stdout/stderr (redirected): a daemon holding a pipe of the caller's would keep
    # the caller waiting for its end.
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      ((fd > 2)) || continue
      exec {fd}>&- 2>/dev/null || true
    done
    exec setsid ip netns exec "$ns" env "${unset_args[@]}" "$@" </dev/null >>"$logf" 2>&1
  ) &
  pid=$!
  printf '%s\n' "$pid" >"$(pid_file "$site" "$name")"
  log "site $site: started $name (pid $pid, log $(log_file "$site" "$name"))"
}

# Stops daemon NAME of SITE by its pid: SIGTERM, then SIGKILL after LAB_TIMEOUT seconds.
stop_daemon() {
  local site="$1" name="$2" pid i
  pid=$(daemon_pid "$site" "$name") || {
    rm -f "$(pid_file "$site" "$name")"
    return 0
  }
  log "site $site: stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < LAB_TIMEOUT * 10; i++)); do
    is_lab_process "$pid" "$site" "$name" || break
    sleep 0.1
  done
  if is_lab_process "$pid" "$site" "$name"; then
    log "site $site: $name (pid $pid) ignored SIGTERM for ${LAB_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while is_lab_process "$pid" "$site" "$name"; do sleep 0.1; done
  fi
  rm -f "$(pid_file "$site" "$name")"
}

# Waits until CMD... succeeds, up to LAB_TIMEOUT seconds; fails early when daemon NAME of SITE
# exits. On failure names the daemon's log file.
wait_for() {
  local what="$1" site="$2" name="$3" deadline
  shift 3
  deadline=$((SECONDS + LAB_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    daemon_alive "$site" "$name" ||
      die "site $site: $name exited while waiting for $what; see $(log_file "$site" "$name")"
    ((SECONDS < deadline)) ||
      die "site $site: timed out after ${LAB_TIMEOUT}s waiting for $what; see $(log_file "$site" "$name")"
    sleep 0.5
  done
}

# ---------------------------------------------------------------------------------------------
# Certificates and kubeconfigs
# ---------------------------------------------------------------------------------------------

# Signs a certificate for KEY with the site CA: NAME SUBJECT EXTENSIONS (one per line).
sign_cert() {
  local pki="$1" name="$2" subject="$3" extensions="$4"
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/$name.key" 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr"
  printf '%s\n' "$extensions" >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

# CA, apiserver serving cert, admin and controller-manager client certs, service-account keys.
# Made once per site (kept across down/up, removed by down --purge).
make_pki() {
  local site="$1" pki addr
  pki="$(k8s_dir "$site")/pki"
  addr=$(addr_of "$site")
  [[ -s "$pki/sa.pub" ]] && return 0
  mkdir -p "$pki"
  chmod 700 "$pki"
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=lab-$site-ca" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$pki/ca.crt"
  sign_cert "$pki" apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$addr,IP:127.0.0.1,IP:$SERVICE_IP,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  sign_cert "$pki" admin "/O=system:masters/CN=admin" "$client"
  sign_cert "$pki" controller-manager "/CN=system:kube-controller-manager" "$client"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  chmod 600 "$pki"/*.key
  log "site $site: certificates in $pki"
}

# A self-contained kubeconfig (CA and client cert/key embedded): FILE SITE SERVER USER CERTNAME.
write_kubeconfig() {
  local file="$1" site="$2" server="$3" user="$4" cert="$5" pki
  pki="$(k8s_dir "$site")/pki"
  (
    umask 077
    cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab-$site
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$pki/$cert.crt")
    client-key-data: $(base64 -w0 <"$pki/$cert.key")
contexts:
- name: lab-$site
  context:
    cluster: lab-$site
    user: $user
current-context: lab-$site
EOF
  )
  mv "$file.tmp" "$file"
}

# ---------------------------------------------------------------------------------------------
# Daemons
# ---------------------------------------------------------------------------------------------

start_etcd() {
  local site="$1" dir
  dir=$(k8s_dir "$site")
  mkdir -p "$dir/etcd"
  chmod 700 "$dir/etcd"
  # Plain HTTP on the netns loopback only: nothing outside the site's netns can reach it.
  # --unsafe-no-fsync: lab data on a busy 2-core machine; a clean SIGTERM still persists it.
  start_daemon "$site" etcd "$(tool etcd)" \
    --name "lab-$site" \
    --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "lab-$site=http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state new \
    --unsafe-no-fsync \
    --log-level warn
  wait_for "etcd on 127.0.0.1:$ETCD_CLIENT_PORT" "$site" etcd etcd_healthy "$site"
}

etcd_healthy() {
  in_site "$1" curl -sf --max-time 2 "http://127.0.0.1:$ETCD_CLIENT_PORT/health" | grep -q '"health":"true"'
}

start_apiserver() {
  local site="$1" dir pki
  dir=$(k8s_dir "$site")
  pki="$dir/pki"
  # Binds every address of the netns (its loopback and the site address, nothing else).
  start_daemon "$site" kube-apiserver "$(tool kube-apiserver)" \
    --advertise-address "$(addr_of "$site")" \
    --bind-address 0.0.0.0 \
    --secure-port "$APISERVER_PORT" \
    --cert-dir "$pki" \
    --tls-cert-file "$pki/apiserver.crt" \
    --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --authorization-mode RBAC \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$pki/sa.pub" \
    --service-account-signing-key-file "$pki/sa.key" \
    --allow-privileged=true \
    --profiling=false \
    --v=1
  wait_for "$(server_of "$site")/readyz" "$site" kube-apiserver apiserver_ready "$site"
}

apiserver_ready() {
  local pki
  pki="$(k8s_dir "$1")/pki"
  [[ "$(in_site "$1" curl -s --max-time 3 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "$(server_of "$1")/readyz")" == ok ]]
}

start_controller_manager() {
  local site="$1" dir pki kubeconfig
  dir=$(k8s_dir "$site")
  pki="$dir/pki"
  kubeconfig="$dir/controller-manager.kubeconfig"
  write_kubeconfig "$kubeconfig" "$site" "https://127.0.0.1:$APISERVER_PORT" system:kube-controller-manager controller-manager
  mkdir -p "$pki/controller-manager"
  # Only what API objects need: namespace deletion, owner-reference garbage collection, the
  # default ServiceAccount of each namespace and its tokens (aliases: namespace, garbagecollector,
  # serviceaccount, serviceaccount-token). Each controller acts as its own ServiceAccount, as kubeadm
  # sets it up: with the manager's own identity the garbage collector may not patch Secrets, and a
  # foreground delete (the Kubernetes provider's) then waits forever. No --authentication/authorization-kubeconfig: only
  # /healthz is served to anyone (the apiserver has no request-header CA for delegated auth).
  start_daemon "$site" kube-controller-manager "$(tool kube-controller-manager)" \
    --kubeconfig "$kubeconfig" \
    --controllers namespace-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller \
    --leader-elect=false \
    --bind-address 127.0.0.1 \
    --secure-port "$KCM_PORT" \
    --cert-dir "$pki/controller-manager" \
    --root-ca-file "$pki/ca.crt" \
    --service-account-private-key-file "$pki/sa.key" \
    --use-service-account-credentials=true \
    --profiling=false \
    --v=1
  wait_for "kube-controller-manager healthz on 127.0.0.1:$KCM_PORT" "$site" kube-controller-manager kcm_healthy "$site"
}

kcm_healthy() {
  [[ "$(in_site "$1" curl -sk --max-time 3 "https://127.0.0.1:$KCM_PORT/healthz")" == ok ]]
}

# Velero's CRDs as the built binary renders them, the Prometheus operator's three, the namespaces.
install_crds() {
  local site="$1" dir crd_dir file crd names=() applied
  dir=$(k8s_dir "$site")
  mkdir -p "$dir/crds"
  env -u KUBECONFIG "$(tool velero)" install --crds-only --dry-run -o yaml >"$dir/crds/velero.yaml" ||
    die "site $site: velero install --crds-only --dry-run -o yaml failed"
  crd_dir="$(prometheus_operator_dir)/example/prometheus-operator-crd"
  local files=(-f "$dir/crds/velero.yaml")
  for crd in "${PROMETHEUS_CRDS[@]}"; do
    file="$crd_dir/monitoring.coreos.com_$crd.yaml"
    [[ -f "$file" ]] || die "no $file in $PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION"
    files+=(-f "$file")
  done
  # Server-side: the operator's CRDs are too large for the last-applied annotation.
  applied=$(site_kubectl "$site" apply --server-side --force-conflicts --field-manager k8s-lab -o name "${files[@]}")
  mapfile -t names <<<"$applied"
  site_kubectl "$site" wait --for condition=Established --timeout "${LAB_TIMEOUT}s" "${names[@]}" >/dev/null
  log "site $site: ${#names[@]} CRDs established (velero $(tool_version velero), prometheus-operator $PROMETHEUS_OPERATOR_VERSION)"
  local ns
  for ns in "${NAMESPACES[@]}"; do
    site_kubectl "$site" get namespace "$ns" >/dev/null 2>&1 || site_kubectl "$site" create namespace "$ns" >/dev/null
  done
  log "site $site: namespaces ${NAMESPACES[*]}"
}

tool_version() { tools_rows | awk -F '\t' -v n="$1" '$1 == n { print $2 }'; }

# ---------------------------------------------------------------------------------------------
# Velero server (outside the cluster)
# ---------------------------------------------------------------------------------------------

# What a velero server outside a cluster needs (read from Velero v1.18.1's source):
#  --kubeconfig/--namespace: the server's client factory (pkg/client/factory.go) reads the
#    namespace from VELERO_NAMESPACE else the flag, the cluster from --kubeconfig, KUBECONFIG or
#    in-cluster config (pkg/client/client.go). Plugin processes are started with the server's own
#    flags (os.Args[2:], pkg/plugin/clientmgmt/process/client_builder.go), so they get them too;
#    the env vars are set as well for anything that only reads the environment.
#  TMPDIR: a BSL's spec.credential is read from the Secret through the API and written to
#    os.TempDir()/credentials/<namespace>/<secret>-<key> (internal/credentials/local.go,
#    file_store.go), whose path goes to the AWS plugin as config credentialsFile
#    (pkg/persistence/object_store.go). Per site, so the two servers never share those files.
#    No AWS_SHARED_CREDENTIALS_FILE: the program's BSLs carry spec.credential.
#  HOME: kopia's repository config goes to $HOME/udmrepo (pkg/repository/udmrepo/repo_options.go).
velero_start() {
  local site="$1" dir vdir pid
  dir=$(k8s_dir "$site")
  vdir="$dir/velero"
  need_tools velero velero-plugin-for-aws
  apiserver_ready "$site" || die "site $site: the API server does not answer; run 'k8s-lab.sh up $site' first"
  if ! site_kubectl "$site" -n "$VELERO_NAMESPACE" get secret velero-repo-credentials >/dev/null 2>&1; then
    # pkg/repository/keys/keys.go EnsureCommonRepositoryKey, called at server start.
    log "site $site: warning: no Secret $VELERO_NAMESPACE/velero-repo-credentials yet; velero server creates it with its built-in kopia password, and a program that creates it afterwards finds it taken"
  fi
  record_velero_deployment "$site"
  mkdir -p "$vdir/plugins" "$vdir/tmp" "$vdir/home"
  chmod 700 "$vdir/tmp"
  # The registry takes every executable file under --plugin-dir (symlinks count).
  ln -sfn "$(tool velero-plugin-for-aws)" "$vdir/plugins/velero-plugin-for-aws"
  start_daemon "$site" velero env \
    TMPDIR="$vdir/tmp" HOME="$vdir/home" KUBECONFIG="$dir/kubeconfig" VELERO_NAMESPACE="$VELERO_NAMESPACE" \
    "$(tool velero)" server \
    --kubeconfig "$dir/kubeconfig" \
    --namespace "$VELERO_NAMESPACE" \
    --uploader-type=kopia \
    --plugin-dir "$vdir/plugins" \
    --metrics-address ":$VELERO_METRICS_PORT" \
    --profiler-address "127.0.0.1:$VELERO_PROFILER_PORT"
  wait_for "velero metrics on $(addr_of "$site"):$VELERO_METRICS_PORT" "$site" velero velero_metrics "$site"
  pid=$(daemon_pid "$site" velero)
  log "site $site: velero server runs (pid $pid), metrics http://$(addr_of "$site"):$VELERO_METRICS_PORT/metrics"
}

# A real installation has a Deployment `velero`, and Velero reads it: the pod volume restore action
# takes the restore helper's image from it (pkg/restore/actions/pod_volume_restore_action.go), and
# without it every restore ends PartiallyFailed. The lab's server runs outside the cluster, so the
# Deployment records the installation with zero replicas (there is no kubelet to run a pod anyway).
record_velero_deployment() {
  local site="$1"
  site_kubectl "$site" apply --server-side --field-manager=k8s-lab -f - >/dev/null <<MANIFEST
apiVersion: apps/v1
kind: Deployment
metadata:
  name: velero
  namespace: $VELERO_NAMESPACE
  labels: {component: velero, app.kubernetes.io/managed-by: k8s-lab}
  annotations: {lab.velero-ceph-dr.io/note: "velero server runs outside the cluster, see scripts/lab/k8s-lab.sh"}
spec:
  replicas: 0
  selector: {matchLabels: {deploy: velero}}
  template:
    metadata: {labels: {deploy: velero, component: velero}}
    spec:
      containers:
        - name: velero
          image: docker.io/velero/velero:v$(tool_version velero)
          args: [server, --uploader-type=kopia]
MANIFEST
}

velero_metrics() {
  in_site "$1" curl -sf --max-time 3 "http://$(addr_of "$1"):$VELERO_METRICS_PORT/metrics" | grep -q '^velero_'
}

# Stops velero server, then any of its plugin processes that outlived it (by pid: processes whose
# command line names this site's velero dir).
velero_stop() {
  local site="$1" vdir cmdline pid argv=()
  vdir="$(k8s_dir "$site")/velero/"
  stop_daemon "$site" velero
  for cmdline in /proc/[0-9]*/cmdline; do
    pid=${cmdline#/proc/} pid=${pid%/cmdline}
    mapfile -d '' argv 2>/dev/null <"$cmdline" || continue
    ((${#argv[@]} > 1)) || continue
    [[ "${argv[0]}" == "${vdir}plugins/"* || ("${argv[1]}" == run-plugins && "${argv[*]}" == *"$vdir"*) ]] || continue
    log "site $site: stopping leftover velero plugin process $pid"
    kill -TERM "$pid" 2>/dev/null || true
  done
}

# ---------------------------------------------------------------------------------------------
# Monitoring: kube-state-metrics and Prometheus of a site (what kube-prometheus-stack would run)
# ---------------------------------------------------------------------------------------------

monitoring_dir() { printf '%s/monitoring' "$(k8s_dir "$1")"; }
prometheus_url() { printf 'http://%s:%s' "$(addr_of "$1")" "$PROMETHEUS_PORT"; }
# Its own series, so another server answering on the port does not count.
ksm_answers() { in_site "$1" curl -sf --max-time 3 "http://$(addr_of "$1"):$KSM_PORT/metrics" | grep -q '^kube_namespace_created'; }
prometheus_ready() { in_site "$1" curl -sf --max-time 3 "$(prometheus_url "$1")/-/ready" >/dev/null; }

# The files come from the lab (scripts/lab/monitoring.ts): the rules exactly as the site's
# PrometheusRule holds them, the custom-resource config from the site's ConfigMap, and the scrape
# config. Both daemons run in the site's netns on its address; Prometheus is the
# Debian package's binary (scripts/install-promtool.sh), never a system service.
monitoring_start() {
  local site="$1" dir prometheus file
  dir=$(monitoring_dir "$site")
  for file in prometheus.yml rules.yml ksm-custom-resources.yaml; do
    [[ -s "$dir/$file" ]] || die "site $site: $dir/$file is missing; the lab writes it (scripts/lab/monitoring.ts) before monitoring-start"
  done
  need_tools kube-state-metrics
  prometheus=$(command -v prometheus || true)
  [[ -n "$prometheus" ]] || prometheus="$REPO_DIR/.tools/bin/prometheus"
  [[ -x "$prometheus" ]] || die "prometheus is missing: run 'bash scripts/install-promtool.sh' (Debian's prometheus package, extracted)"
  # Builtin resources are not needed by the rules: namespaces only, plus the Velero objects.
  start_daemon "$site" kube-state-metrics "$(tool kube-state-metrics)" \
    --kubeconfig "$(kubeconfig_of "$site")" \
    --custom-resource-state-config-file "$dir/ksm-custom-resources.yaml" \
    --resources namespaces \
    --host "$(addr_of "$site")" --port "$KSM_PORT" \
    --telemetry-host "$(addr_of "$site")" --telemetry-port "$KSM_TELEMETRY_PORT"
  wait_for "kube-state-metrics on $(addr_of "$site"):$KSM_PORT" "$site" kube-state-metrics ksm_answers "$site"
  mkdir -p "$dir/data"
  start_daemon "$site" prometheus "$prometheus" \
    --config.file "$dir/prometheus.yml" \
    --storage.tsdb.path "$dir/data" \
    --web.listen-address "$(addr_of "$site"):$PROMETHEUS_PORT" \
    --web.enable-lifecycle
  wait_for "prometheus on $(prometheus_url "$site")" "$site" prometheus prometheus_ready "$site"
  log "site $site: monitoring runs: $(prometheus_url "$site") (kube-state-metrics pid $(daemon_pid "$site" kube-state-metrics), prometheus pid $(daemon_pid "$site" prometheus))"
}

monitoring_stop() {
  stop_daemon "$1" prometheus
  stop_daemon "$1" kube-state-metrics
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

up_site() {
  local site="$1" t0 t
  t0=$SECONDS
  mkdir -p "$(k8s_dir "$site")"/{log,run}
  make_pki "$site"
  write_kubeconfig "$(kubeconfig_of "$site")" "$site" "$(server_of "$site")" admin admin
  t=$SECONDS
  start_etcd "$site"
  log "site $site: etcd ready ($((SECONDS - t))s)"
  t=$SECONDS
  start_apiserver "$site"
  log "site $site: kube-apiserver ready at $(server_of "$site") ($((SECONDS - t))s)"
  t=$SECONDS
  start_controller_manager "$site"
  log "site $site: kube-controller-manager healthy ($((SECONDS - t))s)"
  t=$SECONDS
  install_crds "$site"
  log "site $site: CRDs and namespaces ($((SECONDS - t))s)"
  log "site $site: up in $((SECONDS - t0))s; KUBECONFIG=$(kubeconfig_of "$site")"
}

cmd_up() {
  local sites=("$@") site pids=() failed=0 i t0=$SECONDS
  ((${#sites[@]})) || sites=(a b)
  [[ "$(id -u)" -eq 0 ]] || die "network namespaces need root"
  for site in "${sites[@]}"; do check_site "$site"; done
  need_tools etcd kube-apiserver kube-controller-manager kubectl velero
  save_settings
  for site in "${sites[@]}"; do ensure_netns "$site"; done
  # Fetch the module once before the sites race for it.
  prometheus_operator_dir >/dev/null
  # Sites come up in parallel: most of the time is spent waiting for the API servers.
  for site in "${sites[@]}"; do
    up_site "$site" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || {
      log "site ${sites[$i]}: up failed"
      failed=1
    }
  done
  ((failed == 0)) || die "up failed; 'k8s-lab.sh status' shows what runs, 'k8s-lab.sh down' stops it"
  log "up: ${sites[*]} in $((SECONDS - t0))s"
}

stop_site() {
  local site="$1" name
  monitoring_stop "$site"
  velero_stop "$site"
  for name in kube-controller-manager kube-apiserver etcd; do stop_daemon "$site" "$name"; done
}

cmd_down() {
  local purge=0 sites=() site
  for arg in "$@"; do
    case "$arg" in
      --purge) purge=1 ;;
      a | b) sites+=("$arg") ;;
      *) usage ;;
    esac
  done
  ((${#sites[@]})) || sites=(a b)
  for site in "${sites[@]}"; do
    [[ -d "$(k8s_dir "$site")" ]] || continue
    stop_site "$site"
    if ((purge)); then
      rm -rf "$(k8s_dir "$site")"
      log "site $site: stopped and removed $(k8s_dir "$site")"
    else
      log "site $site: stopped; data kept in $(k8s_dir "$site") ('up' restarts it, 'down --purge' removes it)"
    fi
  done
  # The saved settings go with the last site's data.
  if ((purge)) && [[ ! -d "$(k8s_dir a)" && ! -d "$(k8s_dir b)" ]]; then rm -f "$LAB_DIR/$SETTINGS_FILE_NAME"; fi
}

# Human-readable; exit 0 when every control-plane daemon of both sites runs and answers.
cmd_status() {
  local site name pid all=0
  for site in a b; do
    if [[ ! -d "$(k8s_dir "$site")" ]]; then
      printf 'site %s: no k8s lab in %s\n' "$site" "$(k8s_dir "$site")"
      all=1
      continue
    fi
    for name in etcd kube-apiserver kube-controller-manager velero kube-state-metrics prometheus; do
      if pid=$(daemon_pid "$site" "$name"); then
        printf 'site %s: %-24s running (pid %s)\n' "$site" "$name" "$pid"
      else
        printf 'site %s: %-24s stopped\n' "$site" "$name"
        [[ "$name" == velero || "$name" == kube-state-metrics || "$name" == prometheus ]] || all=1
      fi
    done
    if have_netns "$(netns_of "$site")" && apiserver_ready "$site"; then
      printf 'site %s: %s/readyz ok; KUBECONFIG=%s\n' "$site" "$(server_of "$site")" "$(kubeconfig_of "$site")"
    else
      printf 'site %s: %s/readyz not ok\n' "$site" "$(server_of "$site")"
      all=1
    fi
  done
  return "$all"
}

cmd_env() {
  local site="$1" kubeconfig
  kubeconfig=$(kubeconfig_of "$site")
  [[ -s "$kubeconfig" ]] || die "site $site has no kubeconfig yet; run 'k8s-lab.sh up $site'"
  need_tools kubectl velero
  printf 'KUBECONFIG=%s\n' "$kubeconfig"
  printf 'K8S_SERVER=%s\n' "$(server_of "$site")"
  printf 'K8S_CONTEXT=lab-%s\n' "$site"
  printf 'KUBECTL=%s\n' "$(tool kubectl)"
  printf 'VELERO=%s\n' "$(tool velero)"
  printf 'VELERO_NAMESPACE=%s\n' "$VELERO_NAMESPACE"
  printf 'VELERO_METRICS=http://%s:%s/metrics\n' "$(addr_of "$site")" "$VELERO_METRICS_PORT"
  printf 'KSM_METRICS=http://%s:%s/metrics\n' "$(addr_of "$site")" "$KSM_PORT"
  printf 'PROMETHEUS=%s\n' "$(prometheus_url "$site")"
  cat >&2 <<EOF
# reach it from the host (no proxy for $LAB_NET.0/24):
#   KUBECONFIG=$kubeconfig $(tool kubectl) get ns
#   $(tool velero) --kubeconfig $kubeconfig -n $VELERO_NAMESPACE backup get
#   or: scripts/lab/k8s-lab.sh kubectl $site get ns / scripts/lab/k8s-lab.sh velero $site backup get
EOF
}

main() {
  local cmd=${1:-}
  shift || true
  load_settings
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    velero-start)
      [[ $# -eq 1 ]] || usage
      check_site "$1"
      velero_start "$1"
      ;;
    velero-stop)
      [[ $# -eq 1 ]] || usage
      check_site "$1"
      velero_stop "$1"
      ;;
    monitoring-start | monitoring-stop)
      [[ $# -eq 1 ]] || usage
      check_site "$1"
      if [[ "$cmd" == monitoring-start ]]; then monitoring_start "$1"; else monitoring_stop "$1"; fi
      ;;
    env)
      [[ $# -eq 1 ]] || usage
      check_site "$1"
      cmd_env "$1"
      ;;
    kubectl)
      check_site "${1:-}"
      site_kubectl "$@"
      ;;
    velero)
      check_site "${1:-}"
      local site=$1 unset_args=() var
      shift
      need_tools velero
      for var in "${PROXY_VARS[@]}"; do unset_args+=(-u "$var"); done
      env "${unset_args[@]}" "$(tool velero)" --kubeconfig "$(kubeconfig_of "$site")" --namespace "$VELERO_NAMESPACE" "$@"
      ;;
    *) usage ;;
  esac
}

main "$@"
