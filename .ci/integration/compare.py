"""Compares what an engine recorded with the plugin run directly with the
same arguments, and with the state each scenario must give. Reads JSON
lines {host, service, state, output, long, perfdata} on stdin; prints a line
per case; exits 1 if any case failed.

usage: compare.py ENGINE BIN PASSWORD_FILE host=ip ...
"""
import json
import re
import subprocess
import sys

# What the contrib definitions ask for (the same in every engine).
ARGS = {
    "app": ["--queue-warning", "10", "--queue-critical", "50"],
    "license": ["-w", "30", "-c", "7", "--expected-type", "Professional"],
}
# The state each scenario must give with those arguments.
EXPECTED = {
    "app": {"healthy": 0, "restarting": 1, "stopped": 2, "expiring": 0, "expired": 0, "free": 0},
    "license": {"healthy": 0, "restarting": 0, "stopped": 2, "expiring": 1, "expired": 2, "free": 2},
}
STATES = ["OK", "WARNING", "CRITICAL", "UNKNOWN"]
# 'label'=value[UOM];[warn];[crit];[min];[max] as the Nagios plugin
# guidelines write it (labels here never contain spaces).
PERF_FORMAT = re.compile(r"^'?[A-Za-z0-9_]+'?=-?[0-9]+(\.[0-9]+)?(s|ms|us|%|B|KB|MB|TB|c)?(;(@?-?[0-9.~]*:?-?[0-9.]*)?){0,4}$")


def kind(service):
    return "license" if "licen" in service.lower() else "app"


def perf(s):
    """label -> (value, rest) from a perfdata string, as Nagios defines it."""
    out = {}
    for m in re.finditer(r"'?([^'=\s]+)'?=([-0-9.]+)([a-zA-Z%]*)((?:;[^;\s]*){0,4})", s):
        out[m.group(1)] = (m.group(2), m.group(3) + m.group(4))
    return out


def direct(binary, ip, password_file, k):
    argv = [f"{binary}/check_itgrix_{k}", "-H", ip, "-u", "admin", "--password-file", password_file] + ARGS[k]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    text, _, perfdata = p.stdout.rpartition("|") if "|" in p.stdout else (p.stdout, "", "")
    lines = [l.rstrip() for l in text.split("\n")]
    return p.returncode, lines[0], [l for l in lines[1:] if l.strip()], perfdata.strip()


def main():
    engine, binary, password_file = sys.argv[1:4]
    ips = dict(a.split("=", 1) for a in sys.argv[4:])
    passed = failed = 0
    seen = set()
    for line in sys.stdin:
        r = json.loads(line)
        if r["host"].startswith("("):
            # An engine-wide check (log, metric writer): state -2 means it held.
            name = f"{engine:8} {r['host']:18}"
            if r["state"] == -2:
                passed += 1
                print(f"ok   {name} {r['service']}")
            else:
                failed += 1
                print(f"FAIL {name} {r['service']}: {r['output']}")
            continue
        host, k = r["host"], kind(r["service"])
        seen.add((host, k))
        code, line1, long_lines, perfdata = direct(binary, ips[host], password_file, k)
        problems = []
        want = EXPECTED[k][host]
        if r["state"] != want or code != want:
            problems.append(f"state {r['state']} (plugin {code}), want {want}")
        if r["output"].rstrip() != line1:
            problems.append(f"output {r['output']!r} != plugin {line1!r}")
        bad_format = [m for m in r["perfdata"].split() if not PERF_FORMAT.match(m)]
        if bad_format or not r["perfdata"].strip():
            problems.append(f"perfdata not in the guidelines' format: {bad_format or 'none recorded'}")
        got_perf, want_perf = perf(r["perfdata"]), perf(perfdata)
        if not want_perf or set(got_perf) != set(want_perf):
            problems.append(f"perfdata labels {sorted(got_perf)} != plugin {sorted(want_perf)}")
        for label, (value, rest) in want_perf.items():
            got = got_perf.get(label)
            # The response time differs from run to run: compare its unit and
            # thresholds only. An engine that drops a token it cannot parse
            # (Icinga 2 does, silently) shows up here as a lost unit.
            if label == "time" and got is not None:
                got, value = (value, got[1]), value
            if got != (value, rest):
                problems.append(f"perfdata {label}={got_perf.get(label)} != plugin {(value, rest)}")
        recorded_long = [l.rstrip() for l in r["long"].split("\n") if l.strip()]
        if long_lines and long_lines[:3] != recorded_long[:3]:
            problems.append(f"long output {r['long'][:120]!r} != plugin {long_lines[:3]!r}")
        name = f"{engine:8} {k:7} {host:10}"
        if problems:
            failed += 1
            print(f"FAIL {name} " + "; ".join(problems))
        else:
            passed += 1
            print(f"ok   {name} {line1[:100]}")
    for host in ips:
        for k in ("app", "license"):
            if (host, k) not in seen:
                failed += 1
                print(f"FAIL {engine:8} {k:7} {host:10} no result recorded")
    sys.exit(1 if failed else 0)


main()
