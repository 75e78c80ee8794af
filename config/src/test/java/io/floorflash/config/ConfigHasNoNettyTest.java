package io.floorflash.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floorflash.protocol.OptionLimits;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** config takes its option bounds from protocol, without protocol's Netty (config/pom.xml excludes it). */
class ConfigHasNoNettyTest {
    @Test
    void nettyIsNotOnConfigsClassPath() {
        assertThatThrownBy(() -> Class.forName("io.netty.buffer.ByteBuf"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void theBoundsCheckedAreProtocolsOwn() {
        assertThat(new OptionLimits(OptionLimits.MAX_BLOCK_SIZE, OptionLimits.MAX_WINDOW_SIZE).maxTimeoutSeconds())
                .isEqualTo(OptionLimits.MAX_TIMEOUT_SECONDS);
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of(
                "floorflash.transfer.max-block-size", OptionLimits.MAX_BLOCK_SIZE + 1)))
                .hasMessageContaining("floorflash.transfer.max-block-size: 65465 (expected: "
                        + OptionLimits.MIN_BLOCK_SIZE + "-" + OptionLimits.MAX_BLOCK_SIZE + ")");
    }
}
