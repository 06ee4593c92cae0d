# Nagios Core 4 running for real with contrib/nagios; forced checks, results
# read back from status.dat. Sourced by run.

start_nagios() {
  local n="$work/nagios" s
  mkdir -p "$n/spool" "$n/rw"
  cat >"$n/resource.cfg" <<CONF
\$USER1\$=$engine_bin
\$USER3\$=$user
\$USER4\$=$work/password
CONF
  {
    cat <<'CONF'
define command {
    command_name    check-host-alive
    command_line    /bin/true
}
CONF
    for s in "${scenarios[@]}"; do
      cat <<CONF
define host {
    use             linux-server
    host_name       $s
    address         ${scenario_ip[$s]}
}
define service {
    use             itgrix-app
    host_name       $s
}
define service {
    use             itgrix-license
    host_name       $s
}
CONF
    done
  } >"$n/hosts.cfg"
  {
    echo "log_file=$n/nagios.log"
    for f in commands contacts timeperiods templates; do echo "cfg_file=/etc/nagios4/objects/$f.cfg"; done
    for f in "$root"/contrib/nagios/*.cfg "$n/hosts.cfg"; do echo "cfg_file=$f"; done
    cat <<CONF
resource_file=$n/resource.cfg
status_file=$n/status.dat
status_update_interval=1
temp_file=$n/nagios.tmp
temp_path=$n
lock_file=$n/nagios.pid
check_result_path=$n/spool
check_result_reaper_frequency=1
command_file=$n/rw/nagios.cmd
check_external_commands=1
command_check_interval=-1
state_retention_file=$n/retention.dat
retain_state_information=0
object_cache_file=$n/objects.cache
precached_object_file=$n/objects.precache
nagios_user=$engine_user
nagios_group=$engine_group
enable_notifications=0
execute_host_checks=0
service_check_timeout=30
illegal_macro_output_chars=\`~\$&|'"<>
CONF
  } >"$n/nagios.cfg"
  chown -R "$engine_user:$engine_group" "$n"
  nagios4 -v "$n/nagios.cfg" >"$n/verify.log" 2>&1 || { cat "$n/verify.log"; return 1; }
  nagios4 -d "$n/nagios.cfg"
  for _ in $(seq 100); do [ -p "$n/rw/nagios.cmd" ] && [ -s "$n/nagios.pid" ] && break; sleep 0.1; done
  pids+=("$(cat "$n/nagios.pid")")
}

# nagios_check_all forces every service check and waits until status.dat
# shows a result newer than the request for all of them.
nagios_check_all() {
  local n="$work/nagios" now s svc
  now=$(date +%s)
  for s in "${scenarios[@]}"; do
    for svc in "Itgrix connector" "Itgrix licence"; do
      printf '[%s] SCHEDULE_FORCED_SVC_CHECK;%s;%s;%s\n' "$now" "$s" "$svc" "$now" >"$n/rw/nagios.cmd"
    done
  done
  for _ in $(seq 300); do
    if [ -f "$n/status.dat" ] && python3 "$here/statusdat.py" "$n/status.dat" --since "$now" --count >/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  echo "nagios: checks did not complete within 60s"
  return 1
}
