package io.floorflash.server.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The IPv4 UDP datagrams a QEMU guest's network card sent and received, read from the pcap file that QEMU's
 * {@code -object filter-dump} writes as they pass (no tcpdump needed). Read as the file grows: each call returns what
 * was written since the previous one. Other frames (ARP, IPv6) are skipped; the tap must have {@code vnet_hdr=off},
 * or each frame would start with a virtio header. One fetch at a time: {@link #startFetch} forgets what came before,
 * {@link #awaitExchange} collects until the fetch's exchange has ended.
 */
final class TapCapture {
    private static final int GLOBAL_HEADER = 24;
    private static final int RECORD_HEADER = 16;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int UDP = 17;

    /** One datagram: when it passed (microseconds, the capture's clock), from where, to where, and its payload. */
    record Datagram(long micros, InetSocketAddress source, InetSocketAddress destination, byte[] payload) {
    }

    private final Path file;
    /** The datagrams since {@link #startFetch}. */
    private final List<Datagram> collected = new ArrayList<>();
    private ByteOrder order;
    /** Where the next record starts in the file. */
    private long position;

    TapCapture(Path file) {
        this.file = file;
    }

    /** The datagrams written since the previous call; a record QEMU is still writing is left for the next one. */
    private List<Datagram> readNew() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (order == null && !readGlobalHeader(channel)) {
                return List.of();
            }
            long size = channel.size();
            if (size <= position) {
                return List.of();
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) (size - position)).order(order);
            while (bytes.hasRemaining() && channel.read(bytes, position + bytes.position()) >= 0) {
                // FileChannel.read may return fewer bytes than asked; the loop ends at the end of the file.
            }
            bytes.flip();
            List<Datagram> datagrams = new ArrayList<>();
            while (bytes.remaining() >= RECORD_HEADER) {
                int start = bytes.position();
                long seconds = Integer.toUnsignedLong(bytes.getInt());
                long micros = Integer.toUnsignedLong(bytes.getInt());
                int length = bytes.getInt();
                bytes.getInt(); // the frame's original length; filter-dump's default snap length keeps whole frames
                if (bytes.remaining() < length) {
                    bytes.position(start);
                    break;
                }
                byte[] frame = new byte[length];
                bytes.get(frame);
                Datagram datagram = udp(seconds * 1_000_000 + micros, frame);
                if (datagram != null) {
                    datagrams.add(datagram);
                }
            }
            position += bytes.position();
            return datagrams;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the capture " + file, e);
        }
    }

    /** Forgets everything captured so far: what follows belongs to the next fetch. */
    void startFetch() {
        readNew();
        collected.clear();
    }

    /**
     * Waits until the capture shows the exchange of {@code file} (the fetch's first request for it) ended, and returns
     * it. QEMU writes the capture apart from the console, so the client may report the end before it is written.
     */
    TftpExchange awaitExchange(String file) {
        return await("the capture of " + file).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> exchange(file), exchange -> exchange.isPresent() && exchange.get().ended()).orElseThrow();
    }

    /** The exchange of {@code file} captured so far in this fetch, with whatever arrived after it ended. */
    Optional<TftpExchange> exchange(String file) {
        collected.addAll(readNew());
        return TftpExchange.of(collected, file);
    }

    private boolean readGlobalHeader(FileChannel channel) throws IOException {
        if (channel.size() < GLOBAL_HEADER) {
            return false;
        }
        ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER);
        channel.read(header, 0);
        header.flip();
        int magic = header.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic == 0xa1b2c3d4) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (Integer.reverseBytes(magic) == 0xa1b2c3d4) {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            throw new AssertionError(file + " is not a microsecond pcap file (magic " + Integer.toHexString(magic) + ")");
        }
        int linkType = header.order(order).getInt(20);
        if (linkType != LINKTYPE_ETHERNET) {
            throw new AssertionError(file + ": link type " + linkType + " (expected: 1, Ethernet)");
        }
        position = GLOBAL_HEADER;
        return true;
    }

    /** The UDP datagram in an Ethernet frame, or null for any other frame. */
    private Datagram udp(long micros, byte[] frame) {
        ByteBuffer ethernet = ByteBuffer.wrap(frame);
        if (frame.length < 14 + 20 + 8 || Short.toUnsignedInt(ethernet.getShort(12)) != ETHERTYPE_IPV4) {
            return null;
        }
        int ip = 14;
        int headerLength = (frame[ip] & 0x0F) * 4;
        int totalLength = Short.toUnsignedInt(ethernet.getShort(ip + 2));
        if (frame[ip + 9] != UDP) {
            return null;
        }
        int fragment = Short.toUnsignedInt(ethernet.getShort(ip + 6));
        if ((fragment & 0x3FFF) != 0) {
            // No block here exceeds the 1500-byte MTU; a fragment means the server or the test got the sizes wrong.
            throw new AssertionError(file + ": a fragmented IPv4 datagram (flags and offset 0x" + Integer.toHexString(fragment) + ")");
        }
        int udp = ip + headerLength;
        int udpLength = Short.toUnsignedInt(ethernet.getShort(udp + 4));
        if (udp + udpLength > ip + totalLength || udpLength < 8) {
            throw new AssertionError(file + ": a UDP length of " + udpLength + " in an IPv4 datagram of " + totalLength + " bytes");
        }
        return new Datagram(micros,
                new InetSocketAddress(address(frame, ip + 12), Short.toUnsignedInt(ethernet.getShort(udp))),
                new InetSocketAddress(address(frame, ip + 16), Short.toUnsignedInt(ethernet.getShort(udp + 2))),
                Arrays.copyOfRange(frame, udp + 8, udp + udpLength));
    }

    private static InetAddress address(byte[] frame, int at) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(frame, at, at + 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}
