package io.floorflash.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A demo firmware folder with images named like the ones Snom phones ask for, made of seeded pseudo-random bytes
 * so every run serves the same content. Only written where the files are missing.
 */
final class DemoFirmware {
    private static final Map<String, Integer> IMAGES = new LinkedHashMap<>();

    static {
        IMAGES.put("snom320.bin", 2 * 1024 * 1024);
        IMAGES.put("snom820-r.bin", 3 * 1024 * 1024 + 123);
        IMAGES.put("snomPA1.bin", 700_001);
    }

    private final Path root;
    private final Map<String, String> sha256 = new LinkedHashMap<>();

    private DemoFirmware(Path root) {
        this.root = root;
    }

    static DemoFirmware create(Path root) throws IOException {
        DemoFirmware demo = new DemoFirmware(root.toAbsolutePath().normalize());
        Files.createDirectories(demo.root);
        long seed = 320;
        for (Map.Entry<String, Integer> image : IMAGES.entrySet()) {
            Path file = demo.root.resolve(image.getKey());
            if (!Files.exists(file) || Files.size(file) != image.getValue()) {
                write(file, image.getValue(), seed);
            }
            seed++;
            demo.sha256.put(image.getKey(), sha256(file));
        }
        Path readme = demo.root.resolve("README.txt");
        if (!Files.exists(readme)) {
            Files.writeString(readme, "floorflash demo firmware folder.\nFetch it in netascii mode to see CR LF line ends.\n",
                    StandardCharsets.US_ASCII);
        }
        return demo;
    }

    Path root() {
        return root;
    }

    String instructions(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
        StringBuilder sb = new StringBuilder();
        sb.append("\nfloorflash demo: serving ").append(root).append(" on udp ").append(authority).append('\n');
        sb.append("Fetch an image from another terminal and compare its SHA-256:\n");
        sha256.forEach((name, hash) -> {
            sb.append("  curl -s -o /tmp/").append(name).append(" tftp://").append(authority).append('/').append(name)
                    .append(" && sha256sum /tmp/").append(name).append('\n');
            sb.append("      expected ").append(hash).append('\n');
        });
        sb.append("Each finished transfer is logged here. Stop with Ctrl-C.\n");
        return sb.toString();
    }

    private static void write(Path file, int size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[64 * 1024];
        Path partial = file.resolveSibling(file.getFileName() + ".part");
        try (OutputStream out = Files.newOutputStream(partial)) {
            for (int left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, Math.min(left, chunk.length));
            }
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(file));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
