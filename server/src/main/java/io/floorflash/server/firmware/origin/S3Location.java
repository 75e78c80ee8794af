package io.floorflash.server.firmware.origin;

import java.util.regex.Pattern;

/**
 * Where an S3 origin's firmware lies: a bucket and a key prefix, from {@code s3://bucket/prefix}. A firmware name
 * {@code releases/10.1.2/snom320.bin} is the object {@code prefix/releases/10.1.2/snom320.bin}.
 *
 * @param bucket the bucket's name
 * @param prefix the key prefix, empty or ending in {@code /}
 */
public record S3Location(String bucket, String prefix) {
    /** S3's rules for new buckets, with the underscore older Ceph RGW and MinIO buckets may have. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");
    private static final String EXPECTED = "(expected: s3://bucket or s3://bucket/prefix, the bucket 3-63 characters"
            + " of a-z 0-9 . - _, the prefix folders without . or .. or empty ones)";

    public S3Location {
        if (bucket == null || !BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("bucket: '" + bucket + "' " + EXPECTED);
        }
        if (prefix == null || !(prefix.isEmpty() || prefix.endsWith("/") && validFolders(prefix))) {
            throw new IllegalArgumentException("prefix: '" + prefix + "' " + EXPECTED);
        }
    }

    /**
     * Parses {@code s3://bucket}, {@code s3://bucket/} or {@code s3://bucket/some/prefix} (with or without a final
     * {@code /}).
     *
     * @throws IllegalArgumentException with "'url' (expected: ...)" when it is none of these
     */
    public static S3Location parse(String url) {
        String raw = url == null ? "" : url.strip();
        if (!raw.startsWith("s3://") || raw.indexOf('?') >= 0 || raw.indexOf('#') >= 0) {
            throw new IllegalArgumentException("'" + raw + "' " + EXPECTED);
        }
        String rest = raw.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        if (!path.isEmpty() && !path.endsWith("/")) {
            path += "/";
        }
        if (!BUCKET.matcher(bucket).matches() || !(path.isEmpty() || validFolders(path))) {
            throw new IllegalArgumentException("'" + raw + "' " + EXPECTED);
        }
        return new S3Location(bucket, path);
    }

    /** The key of the firmware {@code name} (already normalised below the root: no leading {@code /}, no {@code ..}). */
    public String key(String name) {
        return prefix + name;
    }

    /** {@code s3://bucket/prefix/}, for logs and messages. */
    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }

    private static boolean validFolders(String prefix) {
        for (String folder : prefix.substring(0, prefix.length() - 1).split("/", -1)) {
            if (folder.isEmpty() || folder.equals(".") || folder.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
