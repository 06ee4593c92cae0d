# Icinga 2 running for real with contrib/icinga2: API on 127.0.0.1 for
# forcing checks and reading results, a GraphiteWriter whose metrics prove
# Icinga parsed the performance data. Sourced by run.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_icinga() {
  local i="$work/icinga2" s
  icinga_port=$(free_port)
  icinga_api_password="api-$RANDOM$RANDOM"
  mkdir -p "$i"/{lib/certs,log,run,cache,spool,zones.d/master}
  # The API listener needs a CA and a node certificate.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Icinga test CA" \
    -keyout "$i/ca.key" -out "$i/lib/certs/ca.crt" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=icinga.test" -keyout "$i/lib/certs/icinga.test.key" -out "$i/node.csr" >/dev/null 2>&1
  openssl x509 -req -in "$i/node.csr" -CA "$i/lib/certs/ca.crt" -CAkey "$i/ca.key" -CAcreateserial -days 2 \
    -out "$i/lib/certs/icinga.test.crt" >/dev/null 2>&1
  ln -s "$root"/contrib/icinga2/*.conf "$i/zones.d/master/"
  {
    echo 'template Host "generic-host" { check_command = "dummy" }'
    for s in "${scenarios[@]}"; do
      cat <<CONF
object Host "$s" {
  import "generic-host"
  address = "${scenario_ip[$s]}"
  vars.itgrix = true
  vars.itgrix_username = "$user"
  vars.itgrix_password = ItgrixPassword
}
CONF
    done
  } >"$i/zones.d/master/hosts.conf"
  graphite_port=$(free_port)
  python3 "$here/graphite_sink.py" "$graphite_port" "$i/graphite.txt" &
  pids+=($!)
  # No probe connection: the sink's first connection must be Icinga's.
  for _ in $(seq 50); do [ -e "$i/graphite.txt.listening" ] && break; sleep 0.1; done
  cat >"$i/icinga2.conf" <<CONF
const PluginDir = "$engine_bin"
const NodeName = "icinga.test"
const ZoneName = "master"
const ItgrixPassword = "$password"
include <itl>
include <plugins>
object FileLogger "main" { path = "$i/log/icinga2.log"; severity = "information" }
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
object ApiListener "api" { bind_host = "127.0.0.1"; bind_port = $icinga_port }
object ApiUser "test" { password = "$icinga_api_password"; permissions = [ "*" ] }
object CheckerComponent "checker" { }
object GraphiteWriter "graphite" { host = "127.0.0.1"; port = $graphite_port }
include_zones "itgrix", "$i/zones.d"
CONF
  chown -R "$engine_user:$engine_group" "$i"
  icinga_defs=(-DDataDir="$i/lib" -DLogDir="$i/log" -DCacheDir="$i/cache" -DSpoolDir="$i/spool"
    -DInitRunDir="$i/run" -DRunAsUser="$engine_user" -DRunAsGroup="$engine_group")
  icinga2 daemon -c "$i/icinga2.conf" "${icinga_defs[@]}" >"$i/daemon.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 150); do
    if curl -skf -m 5 -u "test:$icinga_api_password" "https://127.0.0.1:$icinga_port/v1/status/IcingaApplication" >/dev/null 2>&1; then
      # Results checked before the GraphiteWriter connects are never sent.
      for _ in $(seq 100); do [ -e "$i/graphite.txt.connected" ] && return 0; sleep 0.2; done
      echo "icinga2: GraphiteWriter did not connect"
      return 1
    fi
    sleep 0.2
  done
  echo "icinga2: API did not come up"; cat "$i/daemon.out"; tail -20 "$i/log/icinga2.log"
  return 1
}

icinga_api() { # icinga_api METHOD PATH [JSON]
  curl -sk -m 10 -u "test:$icinga_api_password" -H 'Accept: application/json' -X "$1" \
    "https://127.0.0.1:$icinga_port$2" ${3:+-d "$3"}
}

# icinga_check_all forces every itgrix check, waits for results newer than
# the request, and prints them as JSON lines for compare.py.
icinga_check_all() {
  local now
  now=$(date +%s)
  icinga_api POST /v1/actions/reschedule-check \
    '{"type":"Service","filter":"match(\"itgrix-*\", service.name)","force":true}' >/dev/null
  for _ in $(seq 300); do
    if icinga_api GET '/v1/objects/services?attrs=last_check_result&attrs=host_name&attrs=name' |
      python3 "$here/icinga_results.py" --since "$now" --count "${#scenarios[@]}" >/dev/null; then
      break
    fi
    sleep 0.2
  done
  icinga_api GET '/v1/objects/services?attrs=last_check_result&attrs=host_name&attrs=name' |
    python3 "$here/icinga_results.py" --since "$now"
  # Icinga must have parsed every metric into a number for the writer, and
  # logged no complaint about the performance data.
  # The writer sends asynchronously (and reconnects on a timer): wait for it,
  # bounded, rather than for a fixed time.
  local i="$work/icinga2"
  for _ in $(seq 100); do
    python3 "$here/icinga_results.py" --graphite "$i/graphite.txt" | grep -q '"state": -2' && break
    sleep 0.2
  done
  if grep -iE "perfdata|performance data" "$i/log/icinga2.log" | grep -iE "warning|critical|invalid|ignor" >&2; then
    echo '{"host":"(log)","service":"perfdata warnings in icinga2.log","state":-1,"output":"","long":"","perfdata":""}'
  fi
  python3 "$here/icinga_results.py" --graphite "$i/graphite.txt"
}
