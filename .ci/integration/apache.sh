# Apache httpd with mod_auth_digest: a Digest server nobody here wrote.
# Each scenario is its own "PBX" at 127.0.0.N:$port/status. Sourced by run.

start_apache() { # start_apache PORT
  local port=$1 a="$work/apache" i=2 s run_user run_group
  # Apache will not serve as root: its workers run as www-data then.
  run_user=$(id -un) run_group=$(id -gn)
  [ "$(id -u)" -eq 0 ] && run_user=www-data run_group=www-data
  mkdir -p "$a/logs" "$a/www"
  printf '%s:%s:%s\n' "$user" "$realm" "$(printf '%s:%s:%s' "$user" "$realm" "$password" | md5sum | cut -d' ' -f1)" >"$a/htdigest"
  {
    cat <<CONF
ServerRoot "$a"
PidFile "$a/httpd.pid"
ErrorLog "$a/logs/error.log"
LogLevel warn
User $run_user
Group $run_group
ServerName itgrix-test
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so
LoadModule auth_digest_module /usr/lib/apache2/modules/mod_auth_digest.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
TypesConfig /etc/mime.types
CONF
    for s in "${scenarios[@]}"; do
      mkdir -p "$a/www/$s"
      "$bin/itgrix-sim" --print --scenario "$s" >"$a/www/$s/status"
      echo "Listen 127.0.0.$i:$port"
      cat <<CONF
<VirtualHost 127.0.0.$i:$port>
  ServerName 127.0.0.$i
  DocumentRoot "$a/www/$s"
  <Files "status">
    ForceType application/json
  </Files>
  <Location "/">
    AuthType Digest
    AuthName "$realm"
    AuthDigestProvider file
    AuthUserFile "$a/htdigest"
    Require valid-user
  </Location>
</VirtualHost>
CONF
      scenario_ip[$s]=127.0.0.$i
      i=$((i + 1))
    done
  } >"$a/httpd.conf"
  apache2 -f "$a/httpd.conf" -k start
  for _ in $(seq 50); do [ -s "$a/httpd.pid" ] && break; sleep 0.1; done
  pids+=("$(cat "$a/httpd.pid")")
}
