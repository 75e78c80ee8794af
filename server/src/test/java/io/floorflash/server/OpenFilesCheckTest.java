package io.floorflash.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenFilesCheckTest {
    @Test
    void isQuietWhenTheLimitCoversEveryTransferAndTheReserve() {
        assertThat(OpenFilesCheck.warning(65536, 20000)).isEmpty();
        assertThat(OpenFilesCheck.warning(20000 + OpenFilesCheck.RESERVE, 20000)).isEmpty();
    }

    @Test
    void warnsWhenTheLimitIsOneShortOfWhatTheTransfersNeed() {
        assertThat(OpenFilesCheck.warning(20000 + OpenFilesCheck.RESERVE - 1, 20000)).isPresent();
    }

    @Test
    void namesTheNumbersAndBothRemediesForTheCommonDefault() {
        assertThat(OpenFilesCheck.warning(1024, 20000)).hasValueSatisfying(warning -> assertThat(warning)
                .startsWith("open-files limit is 1024, but floorflash.transfer.max-active-transfers = 20000 needs about 20256")
                .contains("beyond about 768 transfers", "'ulimit -n 20256'", "LimitNOFILE=65536", "lower max-active-transfers"));
    }

    @Test
    void asksForMoreThan65536InTheUnitWhenTheTransfersNeedIt() {
        assertThat(OpenFilesCheck.warning(65536, 100_000)).hasValueSatisfying(warning -> assertThat(warning)
                .contains("LimitNOFILE=100256"));
    }

    @Test
    void readsTheLimitOfThisProcess() {
        assertThat(OpenFilesCheck.currentLimit()).isPresent();
        assertThat(OpenFilesCheck.currentLimit().getAsLong()).isPositive();
    }
}
