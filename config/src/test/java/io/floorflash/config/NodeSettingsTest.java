package io.floorflash.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeSettingsTest {
    private static final String EXPECTED = "(expected: 1-63 letters, digits, '.', '_' or '-', beginning and ending with"
            + " a letter or digit)";

    @Test
    void defaultsToThisMachinesHostName() {
        NodeSettings node = SettingsLoader.load(null, Map.of()).node();

        assertThat(node.name()).isEqualTo(NodeSettings.hostName()).isNotBlank();
    }

    @Test
    void takesTheConfiguredName() {
        NodeSettings node = SettingsLoader.load(null, Map.of("floorflash.node.name", " site-berlin-3f ")).node();

        assertThat(node.name()).isEqualTo("site-berlin-3f");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "floor5", "edge-01.muc.example.com", "pod_7",
        "x23456789012345678901234567890123456789012345678901234567890123"})
    void acceptsHostNameLikeNamesUpToSixtyThreeCharacters(String name) {
        assertThat(new NodeSettings(name).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-edge", "edge-", "edge 1", "edge\"1", "édge", "a/b",
        "x234567890123456789012345678901234567890123456789012345678901234"})
    void refusesNamesThatAreNoHostNames(String name) {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.node.name", name)));

        assertThat(failure.problems()).containsExactly("floorflash.node.name: '" + name + "' " + EXPECTED);
    }

    @Test
    void showsControlCharactersInAProblemAsQuestionMarks() {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.node.name", "edge\u001b[31m")));

        assertThat(failure.problems()).containsExactly("floorflash.node.name: 'edge?[31m' " + EXPECTED);
    }

    @Test
    void asksForANameWhenTheHostNameIsNone() {
        ConfigReader in = ConfigReader.of(ConfigFactory.parseMap(Map.of("name", "")), "floorflash.node");

        assertThat(NodeSettings.read(in, () -> "bad host name")).isNull();
        assertThat(in.problems()).containsExactly("floorflash.node.name: '' and the host name 'bad host name' is no"
                + " node name (expected: set floorflash.node.name to 1-63 letters, digits, '.', '_' or '-', beginning"
                + " and ending with a letter or digit)");
    }

    @Test
    void refusesUnknownKeysInTheSection() {
        SettingsException failure = catchThrowableOfType(SettingsException.class,
                () -> SettingsLoader.load(null, Map.of("floorflash.node.nam", "edge")));

        assertThat(failure.problems()).containsExactly("floorflash.node.nam: unknown key (did you mean 'name'?)");
    }
}
