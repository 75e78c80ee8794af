package io.floorflash.server.firmware.origin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ChecksumType;

/** {@code x-amz-checksum-sha256} as S3 sends it (base64) turned into the hex {@code Origin.Metadata} carries. */
class S3OriginChecksumTest {
    private static final byte[] DIGEST = sha256("snom320 firmware");

    @Test
    void turnsAFullObjectChecksumIntoLowerCaseHex() {
        String header = Base64.getEncoder().encodeToString(DIGEST);

        assertThat(S3Origin.sha256Hex(header, ChecksumType.FULL_OBJECT)).contains(HexFormat.of().formatHex(DIGEST));
        assertThat(S3Origin.sha256Hex(header, null)).contains(HexFormat.of().formatHex(DIGEST));
    }

    @Test
    void leavesOutAMultipartUploadsChecksumOfChecksums() {
        String header = Base64.getEncoder().encodeToString(DIGEST);

        assertThat(S3Origin.sha256Hex(header + "-3", null)).isEmpty();
        assertThat(S3Origin.sha256Hex(header, ChecksumType.COMPOSITE)).isEmpty();
    }

    @Test
    void leavesOutWhatIsNotThirtyTwoBytesOfBase64() {
        assertThat(S3Origin.sha256Hex(null, null)).isEmpty();
        assertThat(S3Origin.sha256Hex("", null)).isEmpty();
        assertThat(S3Origin.sha256Hex("not base64!", null)).isEmpty();
        assertThat(S3Origin.sha256Hex(Base64.getEncoder().encodeToString(new byte[20]), null)).isEmpty();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
