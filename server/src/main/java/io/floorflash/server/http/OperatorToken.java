package io.floorflash.server.http;

import io.floorflash.server.secrets.PrivateFile;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The token the operator side asks for, read once at start from the file {@code floorflash.http.token-file} names
 * (never from the configuration or the command line, which other users can read in {@code ps} or the config folder).
 *
 * <p>A request carries it as {@code Authorization: Bearer TOKEN} (scripts, Prometheus' {@code credentials_file}) or
 * as the {@value #COOKIE} cookie a browser gets from opening {@code /?token=TOKEN} once: HttpOnly (no script reads
 * it), SameSite=Strict (no other site's page sends it), for the browser session. Tokens are compared by their
 * SHA-256 with {@link MessageDigest#isEqual}, so the time taken says nothing about how much of a guess was right, nor
 * about the token's length.
 *
 * <p>A token is at least {@value #MIN_LENGTH} characters from {@code A-Z a-z 0-9 - . _ ~}: the characters that need
 * no escaping in a header, a cookie or a URL, so the one value works in all three.
 */
final class OperatorToken {
    /** The cookie the browser keeps the token in. */
    static final String COOKIE = "floorflash_token";
    static final int MIN_LENGTH = 16;
    /** Far above any sensible token: a larger file is a mistake (a key file, an image), not a token. */
    private static final int MAX_FILE_BYTES = 4096;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~-]{" + MIN_LENGTH + ",1024}");
    private static final String EXPECTED = "expected: one token of at least " + MIN_LENGTH
            + " characters of A-Z a-z 0-9 - . _ ~, such as from 'openssl rand -hex 32'";
    private static final String BEARER = "bearer ";

    private final String token;
    private final byte[] digest;

    private OperatorToken(String token) {
        this.token = token;
        this.digest = sha256(token);
    }

    /** {@code token} itself, checked as a file's content is (tests). */
    static OperatorToken of(String token) {
        if (!TOKEN.matcher(token).matches()) {
            throw new IllegalArgumentException("not a token (" + EXPECTED + ")");
        }
        return new OperatorToken(token);
    }

    /**
     * Reads the token from {@code file}: a regular file, neither readable nor writable by other users, holding one
     * token (surrounding white space, such as the line end {@code echo} adds, is ignored).
     *
     * @throws IllegalStateException when the file is missing, unreadable, open to other users, empty or malformed;
     *                               the message names the key, the file and the remedy, never the content
     */
    static OperatorToken read(Path file) {
        String where = "floorflash.http.token-file: " + file + ": ";
        String content = new String(PrivateFile.read(file, where, MAX_FILE_BYTES, EXPECTED,
                "make one: umask 077; openssl rand -hex 32 > " + file), StandardCharsets.UTF_8).strip();
        if (content.isEmpty()) {
            throw new IllegalStateException(where + "empty (" + EXPECTED + ")");
        }
        if (!TOKEN.matcher(content).matches()) {
            throw new IllegalStateException(where + "holds no valid token: " + content.length() + " characters ("
                    + EXPECTED + ")");
        }
        return new OperatorToken(content);
    }

    /** Whether {@code candidate} is the token; takes the same time whatever {@code candidate} is. */
    boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(digest, sha256(candidate));
    }

    /** Whether {@code headers} carry the token, as {@code Authorization: Bearer} or in the {@value #COOKIE} cookie. */
    boolean carriedBy(HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return matches(authorization.substring(BEARER.length()).strip());
        }
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie cookie : ServerCookieDecoder.STRICT.decodeAll(header)) {
                if (COOKIE.equals(cookie.name()) && matches(cookie.value())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The {@code Set-Cookie} value that has a browser carry the token: HttpOnly, SameSite=Strict, for its session. */
    String setCookie() {
        DefaultCookie cookie = new DefaultCookie(COOKIE, token);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSameSite(CookieHeaderNames.SameSite.Strict);
        return ServerCookieEncoder.STRICT.encode(cookie);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "OperatorToken[hidden]";
    }
}
