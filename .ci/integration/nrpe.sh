# NRPE running for real with the commands of contrib/nrpe/itgrix.cfg, one
# per scenario (plugin directory, host and password file substituted), and
# check_nrpe asking for each. Sourced by run.

start_nrpe() {
  local r="$work/nrpe" s line
  mkdir -p "$r"
  nrpe_port=$(free_port)
  for s in "${scenarios[@]}"; do
    while IFS= read -r line; do
      case $line in
        command\[*\]=*)
          line=${line//\/usr\/lib\/nagios\/plugins/$engine_bin}
          line=${line//-H 127.0.0.1/-H ${scenario_ip[$s]}}
          line=${line//\/etc\/nagios\/itgrix.pass/$work/password}
          echo "${line/\]=/_$s]=}"
          ;;
      esac
    done <"$root/contrib/nrpe/itgrix.cfg"
  done >"$r/itgrix.cfg"
  cat >"$r/nrpe.cfg" <<CONF
log_facility=daemon
debug=0
pid_file=$r/nrpe.pid
server_address=127.0.0.1
server_port=$nrpe_port
nrpe_user=$engine_user
nrpe_group=$engine_group
allowed_hosts=127.0.0.1
dont_blame_nrpe=0
allow_bash_command_substitution=0
command_timeout=60
connection_timeout=300
include=$r/itgrix.cfg
CONF
  chown -R "$engine_user:$engine_group" "$r"
  nrpe -c "$r/nrpe.cfg" -d
  for _ in $(seq 50); do [ -s "$r/nrpe.pid" ] && break; sleep 0.1; done
  pids+=("$(cat "$r/nrpe.pid")")
}

# nrpe_check_all asks NRPE for every scenario's two commands through
# check_nrpe and prints the results as JSON lines for compare.py.
nrpe_check_all() {
  local s c out code
  for s in "${scenarios[@]}"; do
    for c in check_itgrix_app check_itgrix_license; do
      set +e
      out=$(/usr/lib/nagios/plugins/check_nrpe -H 127.0.0.1 -p "$nrpe_port" -t 20 -c "${c}_$s")
      code=$?
      set -e
      python3 - "$s" "$c" "$code" "$out" <<'PY'
import json, sys
host, service, code, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
text, _, perf = out.rpartition("|") if "|" in out else (out, "", "")
first, _, long = text.partition("\n")
print(json.dumps({"host": host, "service": service, "state": code, "output": first, "long": long, "perfdata": perf.strip()}))
PY
    done
  done
}
