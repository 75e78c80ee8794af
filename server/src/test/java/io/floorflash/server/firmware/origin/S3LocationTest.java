package io.floorflash.server.firmware.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class S3LocationTest {
    @ParameterizedTest
    @CsvSource({
            "s3://firmware,                    firmware, ''",
            "s3://firmware/,                   firmware, ''",
            "s3://firmware/releases,           firmware, releases/",
            "s3://firmware/site-a/releases/,   firmware, site-a/releases/",
            "' s3://fw.example.com/a/b ',      fw.example.com, a/b/"})
    void readsTheBucketAndAPrefixEndingInASlash(String url, String bucket, String prefix) {
        S3Location location = S3Location.parse(url);

        assertThat(location).isEqualTo(new S3Location(bucket, prefix));
        assertThat(location.key("snom/320.bin")).isEqualTo(prefix + "snom/320.bin");
        assertThat(location).hasToString("s3://" + bucket + "/" + prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "https://firmware/", "s3://", "s3:///prefix", "s3://ab", "s3://Firmware/x",
            "s3://firmware//x", "s3://firmware/a/../b", "s3://firmware/./b", "s3://firmware/x?versionId=1",
            "s3://-firmware/x"})
    void refusesWhatIsNoBucketAndPrefix(String url) {
        assertThatIllegalArgumentException().isThrownBy(() -> S3Location.parse(url))
                .withMessage("'" + url.strip() + "' (expected: s3://bucket or s3://bucket/prefix, the bucket 3-63"
                        + " characters of a-z 0-9 . - _, the prefix folders without . or .. or empty ones)");
    }
}
