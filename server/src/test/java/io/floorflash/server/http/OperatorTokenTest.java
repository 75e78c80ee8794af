package io.floorflash.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OperatorTokenTest {
    private static final String TOKEN = "3f2a9c0d1e8b7a6554433221100ffeed";

    @TempDir
    Path dir;

    @Test
    void readsTheTokenIgnoringTheLineEnd() throws IOException {
        OperatorToken token = OperatorToken.read(write("token", TOKEN + "\n", "rw-------"));

        assertThat(token.matches(TOKEN)).isTrue();
        assertThat(token.matches(TOKEN + "x")).isFalse();
        assertThat(token.matches(TOKEN.substring(1))).isFalse();
        assertThat(token.matches("")).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(token).hasToString("OperatorToken[hidden]");
    }

    @Test
    void allowsGroupAccessButNotOthers() throws IOException {
        assertThat(OperatorToken.read(write("group", TOKEN, "rw-r-----")).matches(TOKEN)).isTrue();

        Path open = write("open", TOKEN, "rw-r--r--");
        assertThatThrownBy(() -> OperatorToken.read(open)).isInstanceOf(IllegalStateException.class)
                .hasMessage("floorflash.http.token-file: " + open + ": other users may read or write it (rw-r--r--);"
                        + " make it private: chmod 600 " + open);
        Path writable = write("writable", TOKEN, "rw-----w-");
        assertThatThrownBy(() -> OperatorToken.read(writable)).hasMessageContaining("other users may read or write it");
    }

    @Test
    void refusesAMissingFileOrADirectory() throws IOException {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> OperatorToken.read(missing)).isInstanceOf(IllegalStateException.class)
                .hasMessage("floorflash.http.token-file: " + missing + ": no such file (make one: umask 077;"
                        + " openssl rand -hex 32 > " + missing + ")");
        Path folder = Files.createDirectory(dir.resolve("folder"));
        assertThatThrownBy(() -> OperatorToken.read(folder)).hasMessageStartingWith(
                "floorflash.http.token-file: " + folder + ": not a regular file");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", " \n", "\n\n"})
    void refusesAnEmptyFile(String content) throws IOException {
        Path empty = write("empty", content, "rw-------");

        assertThatThrownBy(() -> OperatorToken.read(empty)).hasMessage("floorflash.http.token-file: " + empty
                + ": empty (expected: one token of at least 16 characters of A-Z a-z 0-9 - . _ ~, such as from"
                + " 'openssl rand -hex 32')");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"short", "has space in the middle of it", "two\nlines-of-token-text", "base64+token/with==",
        "quote\"and;semicolon;in;it", "ünïcödé-but-long-enough"})
    void refusesAMalformedTokenWithoutShowingIt(String content) throws IOException {
        Path file = write("bad", content, "rw-------");

        assertThatThrownBy(() -> OperatorToken.read(file)).hasMessageStartingWith("floorflash.http.token-file: " + file
                + ": holds no valid token: ").hasMessageNotContaining(content);
    }

    @Test
    void refusesAHugeFile() throws IOException {
        Path file = write("huge", "a".repeat(5000), "rw-------");

        assertThatThrownBy(() -> OperatorToken.read(file)).hasMessageContaining("larger than 4096 bytes");
    }

    @Test
    void acceptsTheTokenAsBearerOrCookieOnly() {
        OperatorToken token = OperatorToken.of(TOKEN);

        assertThat(token.carriedBy(headers("Authorization", "Bearer " + TOKEN))).isTrue();
        assertThat(token.carriedBy(headers("Authorization", "bearer  " + TOKEN))).as("scheme in any case").isTrue();
        assertThat(token.carriedBy(headers("Cookie", "a=b; floorflash_token=" + TOKEN + "; c=d"))).isTrue();
        assertThat(token.carriedBy(headers("Authorization", "Bearer " + TOKEN + "0"))).isFalse();
        assertThat(token.carriedBy(headers("Authorization", "Basic " + TOKEN))).isFalse();
        assertThat(token.carriedBy(headers("Authorization", TOKEN))).isFalse();
        assertThat(token.carriedBy(headers("Cookie", "other=" + TOKEN))).isFalse();
        assertThat(token.carriedBy(headers("X-Token", TOKEN))).isFalse();
        assertThat(token.carriedBy(new DefaultHttpHeaders())).isFalse();
    }

    @Test
    void theCookieIsHttpOnlyAndSameSiteStrictForTheSession() {
        String cookie = OperatorToken.of(TOKEN).setCookie();

        assertThat(cookie).startsWith("floorflash_token=" + TOKEN + ";").containsIgnoringCase("; Path=/")
                .containsIgnoringCase("; HttpOnly").containsIgnoringCase("; SameSite=Strict")
                .doesNotContainIgnoringCase("Max-Age").doesNotContainIgnoringCase("Expires");
    }

    private Path write(String name, String content, String mode) throws IOException {
        Path file = Files.writeString(dir.resolve(name), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static HttpHeaders headers(String name, String value) {
        return new DefaultHttpHeaders().set(name, value);
    }
}
