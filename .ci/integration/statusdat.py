"""Reads Nagios' status.dat: prints one JSON line per itgrix service with
the state, output, long output and performance data as Nagios recorded
them. --since T --count exits 0 only when every such service has a check
result newer than T."""
import json
import sys


def blocks(path):
    kind, cur = None, {}
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.endswith("{"):
            kind, cur = line[:-1].strip(), {}
        elif line.strip() == "}":
            yield kind, cur
            kind = None
        elif kind and "=" in line:
            k, v = line.strip().split("=", 1)
            cur[k] = v


def main():
    path = sys.argv[1]
    since = int(sys.argv[sys.argv.index("--since") + 1]) if "--since" in sys.argv else 0
    services = [b for k, b in blocks(path) if k == "servicestatus" and b["service_description"].startswith("Itgrix")]
    if "--count" in sys.argv:
        done = [s for s in services if int(s.get("last_check", "0")) >= since and s.get("has_been_checked") == "1"]
        sys.exit(0 if services and len(done) == len(services) else 1)
    for s in services:
        print(json.dumps({
            "host": s["host_name"], "service": s["service_description"], "state": int(s["current_state"]),
            "output": s["plugin_output"],
            # Nagios keeps line breaks of the long output as the two characters \n.
            "long": s.get("long_plugin_output", "").replace("\\n", "\n"),
            "perfdata": s.get("performance_data", ""),
        }))


main()
