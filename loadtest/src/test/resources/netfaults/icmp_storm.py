#!/usr/bin/env python3
"""Sends the server a storm of ICMP "port unreachable" messages (type 3, code 3), each quoting a UDP datagram from
one of the server's ports to a phone's port, as a phone's kernel does when DATA reaches a port nobody listens on any
more. COUNT messages spread evenly over SECONDS (sent in bursts of 100); run it in the phones' network namespace.

    icmp_storm.py SERVER_IP PHONE_IP PORT[,PORT...] COUNT SECONDS

Prints "sent N in S s" and exits 0.
"""
import random
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def unreachable(server, phone, server_port, phone_port):
    # The quoted datagram: its IP header (the server to the phone, UDP) and the first 8 bytes of its UDP header.
    quoted_ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + 516, random.getrandbits(16), 0, 64, socket.IPPROTO_UDP,
                            0, socket.inet_aton(server), socket.inet_aton(phone))
    quoted_ip = quoted_ip[:10] + struct.pack("!H", checksum(quoted_ip)) + quoted_ip[12:]
    quoted_udp = struct.pack("!HHHH", server_port, phone_port, 8 + 516, 0)
    body = struct.pack("!I", 0) + quoted_ip + quoted_udp
    header = struct.pack("!BBH", 3, 3, 0)
    return struct.pack("!BBH", 3, 3, checksum(header + body)) + body


def main(argv):
    if len(argv) != 6:
        print("usage: icmp_storm.py SERVER_IP PHONE_IP PORT[,PORT...] COUNT SECONDS", file=sys.stderr)
        return 2
    server, phone = argv[1], argv[2]
    ports = [int(p) for p in argv[3].split(",")]
    count, seconds = int(argv[4]), float(argv[5])
    rng = random.Random(12)
    messages = [unreachable(server, phone, ports[i % len(ports)], rng.randrange(32768, 61000)) for i in range(256)]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    started = time.monotonic()
    sent = 0
    while sent < count:
        due = started + seconds * sent / count
        now = time.monotonic()
        if now - started > seconds + 5:
            break
        if due > now:
            time.sleep(due - now)
        for _ in range(min(100, count - sent)):
            try:
                raw.sendto(messages[sent % len(messages)], (server, 0))
            except BlockingIOError:
                # The link's queue is full: the next burst tries again.
                break
            sent += 1
    print("sent %d in %.1f s" % (sent, time.monotonic() - started), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
