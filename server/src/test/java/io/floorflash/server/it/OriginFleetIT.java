package io.floorflash.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet: two floorflash nodes, each the shaded jar in a network namespace of its own, sharing one origin (Debian's
 * nginx on the host, reached over a veth pair per namespace), each serving its own floor of phones at once. The origin
 * sees one fetch per image per node. Needs root, like {@code BootloaderIT}.
 */
class OriginFleetIT {
    private static final String IMAGE = "releases/10.1.2/snom320.bin";
    private static final long SIZE = 2 * 1024 * 1024 + 5;
    private static final int PHONES_PER_FLOOR = 30;
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @Test
    void twoNodesInTheirOwnNamespacesFetchEachImageOnceEach(@TempDir Path temp) throws Exception {
        Path docroot = Files.createDirectories(temp.resolve("origin/releases/10.1.2")).getParent().getParent();
        SeededFiles.write(docroot.resolve("releases/10.1.2"), "snom320.bin", SIZE, 320);
        String expected = SeededFiles.sha256(docroot.resolve(IMAGE));
        long tag = ProcessHandle.current().pid() % 10_000;
        List<NetworkNamespace> namespaces = new ArrayList<>();
        List<NamespacedServer> nodes = new ArrayList<>();
        Nginx nginx = null;
        ExecutorService floors = Executors.newFixedThreadPool(2 * PHONES_PER_FLOOR);
        try {
            for (int node = 1; node <= 2; node++) {
                NetworkNamespace namespace = NetworkNamespace.create("origin" + node);
                namespaces.add(namespace);
                namespace.addVethToHost("ffo" + tag + "n" + node, hostSide(node), nodeSide(node));
            }
            nginx = Nginx.start(Files.createDirectories(temp.resolve("nginx")), docroot,
                    List.of(hostSide(1), hostSide(2)));
            for (int node = 1; node <= 2; node++) {
                Path work = Files.createDirectories(temp.resolve("node" + node));
                Path root = Files.createDirectories(work.resolve("root"));
                nodes.add(NamespacedServer.start(namespaces.get(node - 1), nodeSide(node), root, "shared", List.of(
                        "  firmware.cache-dir = \"" + work.resolve("cache") + "\"",
                        "  firmware.origin.url = \"" + nginx.url(hostSide(node)) + "\""), work));
            }

            List<Callable<Phone.Result>> phones = new ArrayList<>();
            for (int node = 1; node <= 2; node++) {
                InetAddress source = InetAddress.getByName(hostSide(node));
                InetSocketAddress server = new InetSocketAddress(nodeSide(node), NamespacedServer.PORT);
                for (int i = 0; i < PHONES_PER_FLOOR; i++) {
                    phones.add(() -> Phone.fetch(source, server, IMAGE, PATIENCE, block -> { }));
                }
            }
            List<Phone.Result> results = new ArrayList<>();
            for (Future<Phone.Result> result : floors.invokeAll(phones, PATIENCE.toSeconds() + 30, TimeUnit.SECONDS)) {
                results.add(result.get());
            }

            assertThat(results).hasSize(2 * PHONES_PER_FLOOR).allSatisfy(result -> {
                assertThat(result.error()).isNull();
                assertThat(result.sha256()).isEqualTo(expected);
            });
            assertThat(nginx.requestsFrom(nodeSide(1), IMAGE)).as("GETs from node 1").isEqualTo(1);
            assertThat(nginx.requestsFrom(nodeSide(2), IMAGE)).as("GETs from node 2").isEqualTo(1);
            assertThat(nginx.requests("GET", IMAGE)).as("GETs in all").isEqualTo(2);
            System.out.printf("origin fetch count: 2 nodes in namespaces x %d phones -> %d + %d GETs of the image%n",
                    PHONES_PER_FLOOR, nginx.requestsFrom(nodeSide(1), IMAGE), nginx.requestsFrom(nodeSide(2), IMAGE));
        } finally {
            floors.shutdownNow();
            nodes.forEach(NamespacedServer::close);
            if (nginx != null) {
                nginx.close();
            }
            namespaces.forEach(NetworkNamespace::close);
        }
    }

    /** The host's end of node {@code node}'s veth pair: the origin's address and its phones' source. */
    private static String hostSide(int node) {
        return "10.70." + node + ".1";
    }

    /** The node's own end, in its namespace: its TFTP address. */
    private static String nodeSide(int node) {
        return "10.70." + node + ".2";
    }
}
