#!/usr/bin/env bash
# The vendor's documented recipe (curl --digest | jq) as a minimal Nagios
# plugin, for comparison: usage: recipe.sh URL, credentials in
# ITGRIX_USERNAME / ITGRIX_PASSWORD.
out=$(curl -s --digest -u "$ITGRIX_USERNAME:$ITGRIX_PASSWORD" "$1") || { echo "UNKNOWN: curl failed"; exit 3; }
status=$(printf '%s' "$out" | jq -r '.app_status') || { echo "UNKNOWN: not JSON"; exit 3; }
case $status in
  Ok) echo "OK: app_status $status"; exit 0 ;;
  Warning) echo "WARNING: app_status $status"; exit 1 ;;
  Error) echo "CRITICAL: app_status $status"; exit 2 ;;
  *) echo "UNKNOWN: app_status $status"; exit 3 ;;
esac
