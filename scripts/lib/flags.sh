# shellcheck shell=bash
# Flag parsing shared by the project's scripts; sourced, never run. The sourcing script defines
# `usage_error MESSAGE` (prints and exits 2) and may set SECRETS_FROM to say where secrets come
# from instead of flags. Results land in OPT (flag -> value; "1" for switches) and ALLOWED.

declare -A OPT=()
ALLOWED=""

# parse_flags "VALUE FLAGS" "SWITCHES" ARGS...: --name value or --name=value; switches take none.
# Anything that looks like a secret is refused as a flag: flags end up in process lists and logs.
parse_flags() {
  local vflags=" $1 " bflags=" $2 " arg name value has_value f
  ALLOWED=""
  for f in $1 $2; do ALLOWED+="--$f "; done
  ALLOWED=${ALLOWED% }
  shift 2
  while (($#)); do
    arg="$1"
    case "$arg" in
    --*=*) name=${arg%%=*} name=${name#--} value=${arg#*=} has_value=1 ;;
    --?*) name=${arg#--} value="" has_value=0 ;;
    *) usage_error "unexpected argument '$arg': arguments are flags only (allowed: ${ALLOWED:-none})" ;;
    esac
    case "$name" in
    *secret* | *access-key* | *access_key* | *password* | *token* | kubeconfig*)
      usage_error "--$name is not accepted: secrets are read from the environment only${SECRETS_FROM:+ ($SECRETS_FROM)}"
      ;;
    esac
    if [[ "$vflags" == *" $name "* ]]; then
      if ((!has_value)); then
        (($# >= 2)) || usage_error "--$name needs a value"
        value="$2"
        shift
      fi
      [[ -z "${OPT[$name]+set}" ]] || usage_error "--$name given twice"
      OPT[$name]="$value"
    elif [[ "$bflags" == *" $name "* ]]; then
      ((!has_value)) || usage_error "--$name takes no value"
      OPT[$name]=1
    else
      usage_error "unknown flag --$name (allowed: ${ALLOWED:-none})"
    fi
    shift
  done
}

opt() { printf '%s' "${OPT[$1]:-}"; }
has_opt() { [[ -n "${OPT[$1]:-}" ]]; }

# require_flags NAME...: each must be given with a non-empty value.
require_flags() {
  local name
  for name in "$@"; do
    [[ -n "${OPT[$name]:-}" ]] || usage_error "missing required flag --$name (allowed: $ALLOWED)"
  done
}
