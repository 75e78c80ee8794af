package io.floorflash.server.it;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One read request and what followed it on a guest's network card, decoded here byte by byte (independent of the
 * server's codec): the options asked and acknowledged, the server's DATA reassembled in block order, the client's
 * ACKs, an ERROR. Built from the datagrams a {@link TapCapture} read while one fetch ran.
 */
final class TftpExchange {
    static final int RRQ = 1;
    static final int DATA = 3;
    static final int ACK = 4;
    static final int ERROR = 5;
    static final int OACK = 6;

    /**
     * A packet of the exchange: from the client or from the server, its opcode, its block number or error code (-1 for
     * a request or OACK), and what follows the opcode and number (a request's or OACK's strings follow the opcode).
     */
    record Packet(long micros, boolean fromClient, InetSocketAddress source, int opcode, int number, byte[] body) {
        boolean isData(int block) {
            return !fromClient && opcode == DATA && number == block;
        }

        boolean isAck(int block) {
            return fromClient && opcode == ACK && number == block;
        }
    }

    private final String file;
    private final InetSocketAddress client;
    private final Map<String, String> requested;
    private final List<Packet> packets;

    private TftpExchange(String file, InetSocketAddress client, Map<String, String> requested, List<Packet> packets) {
        this.file = file;
        this.client = client;
        this.requested = requested;
        this.packets = packets;
    }

    /**
     * The exchange that starts with the first request for {@code file} in {@code datagrams}: that request, repeats of
     * it, and every datagram to or from the client's port after it.
     */
    static Optional<TftpExchange> of(List<TapCapture.Datagram> datagrams, String file) {
        InetSocketAddress client = null;
        Map<String, String> requested = null;
        List<Packet> packets = new ArrayList<>();
        for (TapCapture.Datagram datagram : datagrams) {
            byte[] payload = datagram.payload();
            if (payload.length < 2) {
                continue;
            }
            int opcode = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            if (client == null) {
                List<String> request = opcode == RRQ ? strings(payload, 2) : List.of();
                if (request.isEmpty() || !request.get(0).equals(file)) {
                    continue;
                }
                client = datagram.source();
                requested = options(request.subList(Math.min(2, request.size()), request.size()));
            }
            boolean fromClient = datagram.source().equals(client);
            if (!fromClient && !datagram.destination().equals(client)) {
                continue;
            }
            boolean strings = opcode == RRQ || opcode == OACK;
            int number = !strings && payload.length >= 4 ? ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF) : -1;
            byte[] body = Arrays.copyOfRange(payload, strings ? 2 : Math.min(4, payload.length), payload.length);
            packets.add(new Packet(datagram.micros(), fromClient, datagram.source(), opcode, number, body));
        }
        return client == null ? Optional.empty() : Optional.of(new TftpExchange(file, client, requested, packets));
    }

    /** The options of the (first) request, names in lower case, in the order sent. */
    Map<String, String> requested() {
        return requested;
    }

    /** The options of the server's OACK, or empty when it sent none. */
    Optional<Map<String, String>> acknowledged() {
        return fromServer().stream().filter(p -> p.opcode() == OACK).findFirst()
                .map(oack -> options(strings(oack.body(), 0)));
    }

    InetSocketAddress client() {
        return client;
    }

    /** The ports the server answered from: one, the transfer's, unless something is wrong. */
    List<Integer> serverPorts() {
        return fromServer().stream().map(p -> p.source().getPort()).distinct().toList();
    }

    /** The server's ERROR as "code: message", if it sent one. */
    Optional<String> error() {
        return fromServer().stream().filter(p -> p.opcode() == ERROR).findFirst()
                .map(p -> p.number() + ": " + new String(p.body(), 0, Math.max(0, p.body().length - 1), StandardCharsets.ISO_8859_1));
    }

    /**
     * The file as the DATA blocks delivered it, first copy of each block in order, block numbers rolling over from
     * 65535 to 0; empty until the short block that ends it has arrived.
     */
    Optional<byte[]> content() {
        int blockSize = blockSize();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        long next = 1;
        for (Packet packet : fromServer()) {
            if (packet.opcode() != DATA || packet.number() != (next & 0xFFFF)) {
                continue;
            }
            if (packet.body().length > blockSize) {
                throw new AssertionError(file + ": DATA " + packet.number() + " carries " + packet.body().length
                        + " bytes, more than the block size " + blockSize);
            }
            content.writeBytes(packet.body());
            if (packet.body().length < blockSize) {
                return Optional.of(content.toByteArray());
            }
            next++;
        }
        return Optional.empty();
    }

    /** The negotiated block size: the OACK's blksize, else RFC 1350's 512. */
    int blockSize() {
        return acknowledged().map(options -> options.get("blksize")).map(Integer::parseInt).orElse(512);
    }

    /** The server answered with an ERROR, or the client acknowledged the last (short) DATA block. */
    boolean ended() {
        return error().isPresent() || indexOfLastAck().isPresent();
    }

    /** Milliseconds from the first request to the client's ACK of the last DATA block. */
    double millisToEnd() {
        int end = indexOfLastAck().orElseThrow(() -> new AssertionError(file + ": the transfer has not ended\n" + this));
        return (packets.get(end).micros() - packets.get(0).micros()) / 1000.0;
    }

    /** Where the client's first ACK after the last (short) DATA block is; iPXE's ACK 0 for an empty file counts. */
    private OptionalInt indexOfLastAck() {
        int blockSize = blockSize();
        boolean lastBlockSeen = false;
        for (int at = 0; at < packets.size(); at++) {
            Packet packet = packets.get(at);
            if (!packet.fromClient() && packet.opcode() == DATA && packet.body().length < blockSize) {
                lastBlockSeen = true;
            } else if (lastBlockSeen && packet.fromClient() && packet.opcode() == ACK) {
                return OptionalInt.of(at);
            }
        }
        return OptionalInt.empty();
    }

    List<Packet> packets() {
        return packets;
    }

    private List<Packet> fromServer() {
        return packets.stream().filter(p -> !p.fromClient()).toList();
    }

    /** The NUL-terminated strings in {@code bytes} from {@code from} on. */
    private static List<String> strings(byte[] bytes, int from) {
        List<String> strings = new ArrayList<>();
        int start = from;
        for (int at = from; at < bytes.length; at++) {
            if (bytes[at] == 0) {
                strings.add(new String(bytes, start, at - start, StandardCharsets.ISO_8859_1));
                start = at + 1;
            }
        }
        return strings;
    }

    /** Name-value pairs from {@code strings}, names in lower case. */
    private static Map<String, String> options(List<String> strings) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int at = 0; at + 1 < strings.size(); at += 2) {
            options.put(strings.get(at).toLowerCase(Locale.ROOT), strings.get(at + 1));
        }
        return options;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(file + " requested by " + client + " with " + requested + ":");
        int shown = 0;
        for (Packet packet : packets) {
            if (shown++ == 40) {
                text.append("\n  ... ").append(packets.size() - 40).append(" more");
                break;
            }
            text.append(String.format(Locale.ROOT, "%n  %.1f ms %s opcode %d number %d, %d bytes",
                    (packet.micros() - packets.get(0).micros()) / 1000.0, packet.fromClient() ? "client" : "server",
                    packet.opcode(), packet.number(), packet.body().length));
        }
        return text.toString();
    }
}
