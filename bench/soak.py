#!/usr/bin/env python3
"""Soak: floorflash under a rolling floor with loss for a given time, its memory, files and threads sampled.

Runs server/target/floorflash.jar on 127.0.0.1 (free ports, a firmware folder of its own under bench/.work), with the
systemd unit's JVM flags, and two lanes of simulated phones from loadtest/target/floorflash-loadtest.jar that start
and finish continuously (--ramp: new phones a second while fewer than --phones run):

  - snom: RFC 1350 lock-step, 512-byte blocks, no options (the Snom bootloader), a 256 KiB image, 5% loss each way;
  - uboot: blksize 1468, windowsize 8, tsize, a 1 MiB image, 2% loss each way;

plus a trickle of requests for missing files and of garbage datagrams (refusals and malformed requests every second).
Every --sample seconds it reads the server's RSS, threads (/proc/PID/status), open files (/proc/PID/fd), and from the
operator side's /metrics the heap used, direct buffers (the JVM's pool and Netty's allocator), transfers running and
done. At the end it writes bench/results/soak-<date>.md (the samples as a table, medians and maxima per third, and a
verdict comparing the last third with the middle one: "flat" when no figure grew by more than --tolerance) and the
samples as CSV beside it.

Bounded: the lanes are given a transfer count and a duration cap, the sampling stops at --duration, and every process
it started is stopped (SIGTERM, then SIGKILL after a grace) whatever happens; it stops no other. Loopback only.
It is a benchmark, never part of `mvn verify`.

    mvn -q -B -pl loadtest -am package -DskipTests
    python3 bench/soak.py --duration 1h                 # the full soak
    python3 bench/soak.py --duration 20m --note "..."   # shorter
"""
import argparse
import csv
import datetime
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVER_JAR = REPO / "server/target/floorflash.jar"
LOADTEST_JAR = REPO / "loadtest/target/floorflash-loadtest.jar"
WORK = REPO / "bench/.work"
RESULTS = REPO / "bench/results"
# The JVM flags of packaging/floorflash.service, so the soak sees the memory a service would.
SERVER_JVM = ["-Xms256m", "-Xmx1g", "-XX:MaxDirectMemorySize=2g", "-XX:+ExitOnOutOfMemoryError"]
GENERATOR_JVM = ["-Xmx512m"]
KiB, MiB = 1024, 1024 * 1024


class Lane:
    def __init__(self, name, file, size, args, ramp, phones, loss, client_base):
        self.name, self.file, self.size, self.args = name, file, size, args
        self.ramp, self.phones, self.loss, self.client_base = ramp, phones, loss, client_base
        self.process = None
        self.json = None
        self.log = None


def lanes(args):
    return [
        Lane("snom", "snom320.bin", 256 * KiB, ["--profile", "snom-bootloader"], args.ramp, args.phones, 0.05,
             "127.1.0.1"),
        Lane("uboot", "u-boot.bin", 1 * MiB, ["--profile", "plain", "--blksize", "1468", "--windowsize", "8", "--tsize",
                                               "--client-timeout-ms", "500", "--retries", "20"],
             max(1, args.ramp // 4), max(1, args.phones // 4), 0.02, "127.2.0.1"),
    ]


def parse_duration(text):
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text} (expected: seconds, or a number with s, m or h: 90s, 20m, 1h)")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) * KiB, int(fields["Threads"])


def open_files(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def metrics(http_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    values = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name_labels, _, value = line.rpartition(" ")
        try:
            values[name_labels] = float(value)
        except ValueError:
            continue
    return values


def metric_sum(values, name, **labels):
    """The sum of every series of `name` whose labels include `labels`."""
    total = 0.0
    for key, value in values.items():
        base, _, rest = key.partition("{")
        if base != name:
            continue
        if all(f'{k}="{v}"' in rest for k, v in labels.items()):
            total += value
    return total


def trickle(port, stop, counts):
    """Refusals and malformed requests, a few a second: missing files, a WRQ, garbage. Reads and counts answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.9", 0))
    sock.settimeout(0.2)
    rng = random.Random(9)
    try:
        while not stop.is_set():
            for datagram in (b"\x00\x01missing-%d.bin\x00octet\x00" % rng.randrange(1000),
                             b"\x00\x02upload.cfg\x00octet\x00",
                             b"\x00\x04", bytes(rng.randrange(256) for _ in range(rng.randrange(64)))):
                sock.sendto(datagram, ("127.0.0.1", port))
                counts["sent"] += 1
            deadline = time.monotonic() + 1
            while time.monotonic() < deadline and not stop.is_set():
                try:
                    sock.recvfrom(2048)
                    counts["answers"] += 1
                except socket.timeout:
                    pass
    finally:
        sock.close()


def stop_process(process, grace):
    """SIGTERM, then SIGKILL after `grace` seconds: only a process this script started."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def thirds(rows):
    n = len(rows)
    return rows[: n // 3], rows[n // 3: 2 * n // 3], rows[2 * n // 3:]


FIGURES = [
    # key, title, unit divisor, unit, absolute slack for the verdict
    ("rss", "RSS", MiB, "MiB", 8 * MiB),
    ("heap", "heap used", MiB, "MiB", 8 * MiB),
    ("direct_jvm", "direct (JVM pool)", MiB, "MiB", 1 * MiB),
    ("direct_netty", "direct (Netty)", MiB, "MiB", 1 * MiB),
    ("fds", "open files", 1, "", 2),
    ("threads", "threads", 1, "", 2),
]


def verdict(rows, tolerance):
    """For each figure: flat when the last third's median and maximum are within tolerance of the middle third's."""
    _, middle, last = thirds(rows)
    lines, flat = [], True
    for key, title, div, unit, slack in FIGURES:
        m_med, l_med = statistics.median(r[key] for r in middle), statistics.median(r[key] for r in last)
        m_max, l_max = max(r[key] for r in middle), max(r[key] for r in last)
        ok = l_med <= m_med * (1 + tolerance) + slack and l_max <= m_max * (1 + tolerance) + slack
        flat &= ok
        lines.append((title, m_med / div, l_med / div, m_max / div, l_max / div, unit, "flat" if ok else "GREW"))
    return flat, lines


def fmt(value, div=1):
    v = value / div
    return f"{v:.1f}" if div != 1 else f"{int(v)}"


def write_results(args, rows, lane_reports, trickle_counts, started_at, commit, out_md, out_csv, stopped_early):
    with open(out_csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    flat, lines = verdict(rows, args.tolerance)
    span = rows[-1]["t"] - rows[0]["t"]
    md = []
    md.append(f"# Soak: floorflash under a rolling floor with loss, {span / 60:.0f} min\n")
    md.append(f"- Date: {started_at:%Y-%m-%d %H:%M} UTC, commit {commit}, `python3 bench/soak.py "
              f"{shlex.join(sys.argv[1:])}`")
    if args.note:
        md.append(f"- Note: {args.note}")
    if stopped_early:
        md.append(f"- **Stopped early**: {stopped_early}")
    md.append(f"- Machine: {os.cpu_count()} cores, load average at the end "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (shared with other builds)")
    md.append(f"- Server: `java {' '.join(SERVER_JVM)} -jar server/target/floorflash.jar ...` on 127.0.0.1, "
              "defaults otherwise (one event loop, shared transfer ports)")
    for lane, report in lane_reports:
        md.append(f"- Lane **{lane.name}**: `{' '.join(lane.args)}`, {lane.size // KiB} KiB image, "
                  f"{lane.loss:.0%} loss each way, ramp {lane.ramp}/s, at most {lane.phones} at once, phones from "
                  f"{lane.client_base} up: " + (
                      f"{report.get('ok', 0)} of {report.get('transfers', 0)} transfers byte-exact, "
                      f"{report.get('failed', 0)} failed {report.get('errors', {}) or ''}" if report else "no report"))
    md.append(f"- Trickle from 127.0.0.9: {trickle_counts['sent']} datagrams (missing files, WRQs, short ACKs, "
              f"garbage), {trickle_counts['answers']} answers")
    md.append(f"- Samples: every {args.sample:.0f} s, {len(rows)} in all; the first third is warm-up, the verdict "
              f"compares the last third with the middle one (tolerance {args.tolerance:.0%} plus a small absolute "
              "slack: 8 MiB, 1 MiB for direct memory, 2 files or threads).\n")
    md.append(f"**Verdict: {'flat' if flat else 'NOT flat'}** — " + "; ".join(
        f"{title} {l_med:.1f}{unit} vs {m_med:.1f}{unit} ({state})" if unit else
        f"{title} {l_med:.0f} vs {m_med:.0f} ({state})"
        for title, m_med, l_med, m_max, l_max, unit, state in lines) + " (last third's median vs the middle's)\n")
    md.append("| figure | middle third median | last third median | middle max | last max | |")
    md.append("|---|---|---|---|---|---|")
    for title, m_med, l_med, m_max, l_max, unit, state in lines:
        u = f" {unit}" if unit else ""
        md.append(f"| {title} | {m_med:.1f}{u} | {l_med:.1f}{u} | {m_max:.1f}{u} | {l_max:.1f}{u} | {state} |")
    md.append("\n## Samples\n")
    md.append("| t (s) | RSS MiB | heap MiB | direct JVM MiB | direct Netty MiB | open files | threads | "
              "transfers running | done | failed |")
    md.append("|---|---|---|---|---|---|---|---|---|---|")
    step = max(1, len(rows) // 60)
    for i, r in enumerate(rows):
        if i % step and i != len(rows) - 1:
            continue
        md.append(f"| {r['t']:.0f} | {fmt(r['rss'], MiB)} | {fmt(r['heap'], MiB)} | {fmt(r['direct_jvm'], MiB)} | "
                  f"{fmt(r['direct_netty'], MiB)} | {r['fds']} | {r['threads']} | {int(r['active'])} | "
                  f"{int(r['completed'])} | {int(r['failed'])} |")
    if step > 1:
        md.append(f"\nEvery {step}th sample shown; all of them in [`{out_csv.name}`]({out_csv.name}).")
    else:
        md.append(f"\nThe same samples as CSV: [`{out_csv.name}`]({out_csv.name}).")
    out_md.write_text("\n".join(md) + "\n")
    return flat


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=parse_duration, default=3600.0, help="how long to sample (90s, 20m, 1h)")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--ramp", type=int, default=10, help="snom phones started a second (uboot: a quarter)")
    parser.add_argument("--phones", type=int, default=200, help="snom phones at once at most (uboot: a quarter)")
    parser.add_argument("--tolerance", type=float, default=0.10, help="growth allowed from the middle to the last third")
    parser.add_argument("--note", default="", help="a line for the results file")
    parser.add_argument("--out", default=None, help="results file (default bench/results/soak-<date>.md)")
    args = parser.parse_args()
    for jar in (SERVER_JAR, LOADTEST_JAR):
        if not jar.exists():
            sys.exit(f"{jar} missing: mvn -q -B -pl loadtest -am package -DskipTests")
    if args.duration < 3 * args.sample:
        sys.exit("--duration must hold at least three samples")

    started_at = datetime.datetime.utcnow()
    stamp = started_at.strftime("%Y-%m-%d-%H%M")
    out_md = Path(args.out) if args.out else RESULTS / f"soak-{stamp}.md"
    out_csv = out_md.with_suffix(".csv")
    work = WORK / f"soak-{stamp}"
    firmware = work / "firmware"
    firmware.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    rng = random.Random(0x50A4)
    the_lanes = lanes(args)
    for lane in the_lanes:
        (firmware / lane.file).write_bytes(rng.randbytes(lane.size))

    tftp_port, http_port = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    server_cmd = ["java", *SERVER_JVM, "-jar", str(SERVER_JAR), "--root", str(firmware), "--address", "127.0.0.1",
                  "--port", str(tftp_port), "--http-address", "127.0.0.1", "--http-port", str(http_port)]
    server_log = open(work / "server.log", "w")
    # In its work folder: the audit log (logs/audit.jsonl by default) stays there, out of the repository.
    server = subprocess.Popen(server_cmd, stdout=server_log, stderr=subprocess.STDOUT, cwd=work)
    stop = threading.Event()
    trickle_counts = {"sent": 0, "answers": 0}
    rows, stopped_early = [], None
    trickler = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                metrics(http_port)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"the server did not come up; see {work / 'server.log'}")
                time.sleep(0.5)

        # Each lane starts ramp phones a second until its count, which the duration bounds; it gets a minute more
        # to finish the last ones, and stops by itself at its own cap.
        for lane in the_lanes:
            transfers = max(1, int(lane.ramp * max(args.sample, args.duration - 60)))
            lane.json = work / f"{lane.name}.json"
            lane.log = open(work / f"{lane.name}.log", "w")
            lane.process = subprocess.Popen(
                ["java", *GENERATOR_JVM, "-jar", str(LOADTEST_JAR), "--host", "127.0.0.1", "--port", str(tftp_port),
                 "--file", lane.file, "--expect-file", str(firmware / lane.file), "--phones", str(lane.phones),
                 "--transfers", str(transfers), "--ramp", str(lane.ramp), "--loss-rx", str(lane.loss),
                 "--loss-tx", str(lane.loss), "--seed", "7", "--threads", "1", "--client-base", lane.client_base,
                 "--duration", str(int(args.duration + 120)), "--json", str(lane.json), *lane.args],
                stdout=lane.log, stderr=subprocess.STDOUT)
        trickler = threading.Thread(target=trickle, args=(tftp_port, stop, trickle_counts), daemon=True)
        trickler.start()

        t0 = time.monotonic()
        next_sample = t0
        while time.monotonic() - t0 < args.duration:
            if server.poll() is not None:
                stopped_early = f"the server exited with {server.returncode} at {time.monotonic() - t0:.0f} s"
                break
            next_sample += args.sample
            rss, threads = proc_status(server.pid)
            values = metrics(http_port)
            rows.append({
                "t": round(time.monotonic() - t0, 1),
                "rss": rss,
                "heap": metric_sum(values, "jvm_memory_used_bytes", area="heap"),
                "direct_jvm": metric_sum(values, "jvm_buffer_memory_used_bytes", id="direct"),
                "direct_netty": metric_sum(values, "floorflash_netty_allocator_used_bytes", memory="direct"),
                "fds": open_files(server.pid),
                "threads": threads,
                "active": metric_sum(values, "floorflash_transfers_active"),
                "completed": metric_sum(values, "floorflash_transfers_completed_total"),
                "failed": metric_sum(values, "floorflash_transfers_failed_total"),
            })
            r = rows[-1]
            print(f"t={r['t']:.0f}s rss={r['rss'] / MiB:.0f}MiB heap={r['heap'] / MiB:.0f}MiB "
                  f"direct={r['direct_jvm'] / MiB:.1f}+{r['direct_netty'] / MiB:.1f}MiB fds={r['fds']} "
                  f"threads={r['threads']} running={r['active']:.0f} done={r['completed']:.0f}", flush=True)
            time.sleep(max(0.0, next_sample - time.monotonic()))
    finally:
        stop.set()
        lane_reports = []
        for lane in the_lanes:
            if lane.process is not None:
                try:
                    lane.process.wait(timeout=150)  # its last phones finish, bounded by its own cap
                except subprocess.TimeoutExpired:
                    pass
                stop_process(lane.process, 10)
                lane.log.close()
            report = None
            if lane.json is not None and lane.json.exists():
                report = json.loads(lane.json.read_text())
            lane_reports.append((lane, report))
        if trickler is not None:
            trickler.join(5)
        stop_process(server, 60)
        server_log.close()

    if len(rows) < 3:
        sys.exit(f"too few samples ({len(rows)}): {stopped_early}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    flat = write_results(args, rows, lane_reports, trickle_counts, started_at, commit, out_md, out_csv, stopped_early)
    failed = sum((r or {}).get("failed", 1) for _, r in lane_reports)
    print(f"wrote {out_md}: {'flat' if flat else 'NOT flat'}, {failed} transfers failed")
    shutil.rmtree(work / "firmware", ignore_errors=True)
    return 0 if flat and failed == 0 and not stopped_early else 1


if __name__ == "__main__":
    sys.exit(main())
