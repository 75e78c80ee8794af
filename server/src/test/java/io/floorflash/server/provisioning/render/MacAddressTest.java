package io.floorflash.server.provisioning.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {
    @ParameterizedTest
    @ValueSource(strings = {"00:04:13:A1:1F:A7", "00-04-13-a1-1f-a7", "000413a11fa7", "000413A11FA7", "0004.13a1.1fa7",
            " 00:04:13:a1:1f:a7 "})
    void readsEveryUsualForm(String raw) {
        assertThat(MacAddress.parse(raw)).contains(new MacAddress("000413a11fa7"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "000413a11fa", "000413a11fa7a", "00:04:13-a1:1f:a7", "00:04:13:a1:1f:g7", "0:4:13:a1:1f:a7",
            "00::04:13:a1:1f:a7", "snom320"})
    void refusesWhatIsNoMac(String raw) {
        assertThat(MacAddress.parse(raw)).isEmpty();
    }

    @Test
    void writesItInEachForm() {
        MacAddress mac = new MacAddress("000413a11fa7");

        assertThat(mac.plain()).isEqualTo("000413a11fa7");
        assertThat(mac.upper()).isEqualTo("000413A11FA7");
        assertThat(mac.colons()).isEqualTo("00:04:13:a1:1f:a7");
        assertThat(mac.dashes()).isEqualTo("00-04-13-a1-1f-a7");
        assertThat(mac).hasToString("00:04:13:a1:1f:a7");
    }
}
