package io.floorflash.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.floorflash.config.AllowedHost;
import io.floorflash.server.http.HostCheck.Verdict;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HostCheckTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 8069);
    private static final InetSocketAddress MANAGEMENT = new InetSocketAddress("10.0.0.5", 8069);
    private static final InetSocketAddress LOOPBACK6 = new InetSocketAddress("::1", 8069);
    private final HostCheck check = new HostCheck(List.of(new AllowedHost("floor.example.com", 0),
            new AllowedHost("proxy.example.com", 443), new AllowedHost("[2001:db8::5]", 0)));

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(strings = {"127.0.0.1:8069", "127.0.0.1", "localhost:8069", "LOCALHOST", "floor.example.com",
        "Floor.Example.COM:8069", "proxy.example.com:443", "[2001:db8:0::5]:8069"})
    void answersItsOwnAddressLocalhostOnLoopbackAndTheAllowedHosts(String host) {
        assertThat(check.check(request(host), LOOPBACK)).isEqualTo(Verdict.OK);
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(strings = {"evil.example", "evil.example:8069", "127.0.0.1:8070", "localhost:80", "127.0.0.2:8069",
        "floor.example.com:80", "proxy.example.com", "proxy.example.com:8069", "floor.example.com.", "sub.floor.example.com",
        "127.0.0.1:", "127.0.0.1:80a", "127.0.0.1:999999", "::1", "[::1]:8069", "[::1", "[2001:db8::5]x", "",
        "localhost.", "0x7f.0.0.1:8069", "2130706433:8069", "user@127.0.0.1:8069"})
    void misdirectsAnyOtherName(String host) {
        assertThat(check.check(request(host), LOOPBACK)).isEqualTo(Verdict.MISDIRECTED);
    }

    @Test
    void localhostOnlyOnLoopback() {
        assertThat(check.check(request("localhost:8069"), MANAGEMENT)).isEqualTo(Verdict.MISDIRECTED);
        assertThat(check.check(request("127.0.0.1:8069"), MANAGEMENT)).isEqualTo(Verdict.MISDIRECTED);
        assertThat(check.check(request("10.0.0.5:8069"), MANAGEMENT)).isEqualTo(Verdict.OK);
        assertThat(check.check(request("floor.example.com:8069"), MANAGEMENT)).isEqualTo(Verdict.OK);
    }

    @ParameterizedTest(name = "Host: {0} on [::1]:8069 is {1}")
    @CsvSource({"[::1]:8069, OK", "[0:0:0:0:0:0:0:1], OK", "localhost:8069, OK", "127.0.0.1:8069, MISDIRECTED"})
    void ipv6LiteralsAreComparedAsAddresses(String host, Verdict verdict) {
        assertThat(check.check(request(host), LOOPBACK6)).isEqualTo(verdict);
    }

    @Test
    void anIpv4ClientOnADualStackSocketNamesTheIpv4Address() {
        InetSocketAddress mapped = new InetSocketAddress("::ffff:10.0.0.5", 8069);

        assertThat(check.check(request("10.0.0.5:8069"), mapped)).isEqualTo(Verdict.OK);
    }

    @Test
    void http11NeedsExactlyOneHostHttp10None() {
        HttpRequest none = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        HttpRequest two = request("127.0.0.1:8069");
        two.headers().add("Host", "127.0.0.1:8069");
        HttpRequest old = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");

        assertThat(check.check(none, LOOPBACK)).isEqualTo(Verdict.MISSING);
        assertThat(check.check(two, LOOPBACK)).isEqualTo(Verdict.MISSING);
        assertThat(check.check(old, LOOPBACK)).isEqualTo(Verdict.OK);
    }

    private static HttpRequest request(String host) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        request.headers().set("Host", host);
        return request;
    }
}
