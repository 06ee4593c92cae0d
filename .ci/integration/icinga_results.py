"""Turns Icinga 2's /v1/objects/services answer (on stdin) into JSON lines
for compare.py. --since T --count N exits 0 once N*2 itgrix services have a
check result that ended after T. --graphite FILE instead checks that the
GraphiteWriter received every itgrix metric as a number."""
import json
import sys


def main():
    args = sys.argv[1:]
    if "--graphite" in args:
        return graphite(args[args.index("--graphite") + 1])
    since = float(args[args.index("--since") + 1]) if "--since" in args else 0
    results = [r["attrs"] for r in json.load(sys.stdin)["results"] if r["attrs"]["name"].startswith("itgrix-")]
    fresh = [r for r in results if r.get("last_check_result") and r["last_check_result"]["execution_end"] >= since]
    if "--count" in args:
        sys.exit(0 if len(fresh) >= 2 * int(args[args.index("--count") + 1]) else 1)
    for r in fresh:
        cr = r["last_check_result"]
        output = cr["output"]
        first, _, long = output.partition("\n")
        print(json.dumps({
            "host": r["host_name"], "service": r["name"], "state": int(cr["state"]),
            "output": first, "long": long,
            # The API returns the performance data split into metrics.
            "perfdata": " ".join(p if isinstance(p, str) else json.dumps(p) for p in cr.get("performance_data") or []),
        }))


def graphite(path):
    """Each metric Icinga sends is 'icinga2.HOST.services.SVC.CMD.perfdata.LABEL.value NUMBER TS'."""
    seen = {}
    try:
        lines = open(path).read().splitlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and ".perfdata." in parts[0] and parts[0].endswith(".value"):
            label = parts[0].split(".perfdata.")[1].rsplit(".", 1)[0]
            try:
                float(parts[1])
                seen[label] = True
            except ValueError:
                seen[label] = False
    want = ["app_status", "app_state", "calls_queue", "days_left", "license_type", "time"]
    bad = [w for w in want if not seen.get(w)]
    print(json.dumps({"host": "(graphite)", "service": "metrics parsed by icinga2",
                      "state": -1 if bad else -2, "output": "missing or non-numeric: " + " ".join(bad) if bad else "ok",
                      "long": "", "perfdata": ""}))


main()
