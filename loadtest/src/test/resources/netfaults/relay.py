#!/usr/bin/env python3
"""Plays netem's part on a link between two network namespaces: moves IP packets between two TUN devices and, in
each direction, drops, duplicates, delays and reorders them at random (seeded).

The kernel the tests run on has no netem (CONFIG_NET_SCH_NETEM is not set, and no tc action can drop or delay), so
the link is a process: one TUN device in the server's namespace, one in the phones', and this loop between them.
Every datagram is impaired on its own, as on a wire: the kernel hands a TUN device's reader segmented, checksummed
packets, never a GSO super-packet.

    ip netns exec SERVER_NS relay.py SERVER_TUN /run/netns/PHONES_NS PHONES_TUN

It opens SERVER_TUN in its own namespace, enters PHONES_NS to open PHONES_TUN, prints "ready", then reads commands,
one a line, from standard input and answers each with one line:

    set DIRECTION [loss=F] [duplicate=F] [delay=SECONDS] [reorder=F] [seed=N]   -> ok
    stats                                                                       -> stats to-phones k=v ... | to-server ...
    quit (or end of input)                                                      -> exits 0

DIRECTION is to-phones, to-server or both. reorder is netem's "reorder": that fraction of packets goes at once while
the others wait out the delay (netem's correlation is left out). Any setting left out of a "set" is 0.
"""
import ctypes
import fcntl
import heapq
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
# Packets read from one device per wake-up, so one busy direction cannot starve the other or the commands.
READS_PER_WAKE = 256


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def enter_netns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, "setns " + path + ": " + os.strerror(errno))
    finally:
        os.close(fd)


class Direction:
    def __init__(self, name, source, target):
        self.name = name
        self.source = source
        self.target = target
        self.configure({})
        self.packets = self.passed = self.dropped = self.duplicated = self.delayed = self.early = 0

    def configure(self, settings):
        self.loss = float(settings.get("loss", 0))
        self.duplicate = float(settings.get("duplicate", 0))
        self.delay = float(settings.get("delay", 0))
        self.reorder = float(settings.get("reorder", 0))
        self.random = random.Random(int(settings.get("seed", 1)))

    def stats(self):
        return (f"{self.name} packets={self.packets} passed={self.passed} dropped={self.dropped} "
                f"duplicated={self.duplicated} delayed={self.delayed} early={self.early}")


class Relay:
    def __init__(self, server_fd, phones_fd):
        self.to_phones = Direction("to-phones", server_fd, phones_fd)
        self.to_server = Direction("to-server", phones_fd, server_fd)
        self.by_source = {server_fd: self.to_phones, phones_fd: self.to_server}
        # (due, sequence, direction, packet): the sequence keeps packets of one due time in arrival order.
        self.waiting = []
        self.sequence = 0

    def forward(self, direction, packet, now):
        direction.packets += 1
        r = direction.random
        if direction.loss and r.random() < direction.loss:
            direction.dropped += 1
            return
        copies = 1
        if direction.duplicate and r.random() < direction.duplicate:
            copies = 2
            direction.duplicated += 1
        for _ in range(copies):
            if direction.delay and not (direction.reorder and r.random() < direction.reorder):
                direction.delayed += 1
                self.sequence += 1
                heapq.heappush(self.waiting, (now + direction.delay, self.sequence, direction, packet))
            else:
                if direction.delay:
                    direction.early += 1
                self.send(direction, packet)

    def send(self, direction, packet):
        try:
            os.write(direction.target, packet)
            direction.passed += 1
        except OSError:
            # The device is down or the namespace is gone: lost, as on a wire.
            direction.dropped += 1

    def release_due(self, now):
        while self.waiting and self.waiting[0][0] <= now:
            _, _, direction, packet = heapq.heappop(self.waiting)
            self.send(direction, packet)

    def command(self, line):
        words = line.split()
        if not words:
            return None
        if words[0] == "quit":
            return "quit"
        if words[0] == "stats":
            return "stats " + self.to_phones.stats() + " | " + self.to_server.stats()
        if words[0] == "set" and len(words) >= 2 and words[1] in ("to-phones", "to-server", "both"):
            settings = dict(word.split("=", 1) for word in words[2:] if "=" in word)
            targets = [self.to_phones, self.to_server] if words[1] == "both" else \
                [self.to_phones if words[1] == "to-phones" else self.to_server]
            for direction in targets:
                direction.configure(settings)
            return "ok"
        return "error: " + line.strip()

    def run(self, commands):
        poller = select.epoll()
        for fd in self.by_source:
            poller.register(fd, select.EPOLLIN)
        poller.register(commands, select.EPOLLIN)
        pending = b""
        while True:
            timeout = -1
            if self.waiting:
                timeout = max(0.0, self.waiting[0][0] - time.monotonic())
            for fd, _ in poller.poll(timeout):
                if fd == commands:
                    chunk = os.read(commands, 4096)
                    if not chunk:
                        return
                    pending += chunk
                    while b"\n" in pending:
                        line, pending = pending.split(b"\n", 1)
                        answer = self.command(line.decode())
                        if answer == "quit":
                            return
                        if answer:
                            print(answer, flush=True)
                    continue
                direction = self.by_source[fd]
                now = time.monotonic()
                for _ in range(READS_PER_WAKE):
                    try:
                        packet = os.read(fd, 65536)
                    except BlockingIOError:
                        break
                    self.forward(direction, packet, now)
            self.release_due(time.monotonic())


def main(argv):
    if len(argv) != 4:
        print("usage: relay.py SERVER_TUN PHONES_NETNS_PATH PHONES_TUN", file=sys.stderr)
        return 2
    server_fd = open_tun(argv[1])
    enter_netns(argv[2])
    phones_fd = open_tun(argv[3])
    print("ready", flush=True)
    Relay(server_fd, phones_fd).run(sys.stdin.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
