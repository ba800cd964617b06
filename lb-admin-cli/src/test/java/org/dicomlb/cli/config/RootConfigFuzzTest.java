package org.dicomlb.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.dicomlb.config.ConfigException;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the whole configuration reader, as {@code dicomlb validate} and a
 * reload see a file: any text gives a configuration or a {@link ConfigException} with located
 * errors, never another exception (a record constructor's {@code IllegalArgumentException}
 * that no reader turned into an error would be one), and a valid file still reads afterwards.
 *
 * <p>Seeds (whole configurations): {@code
 * src/test/resources/org/dicomlb/cli/config/RootConfigFuzzTestInputs/parse/}. See
 * docs/development.md#fuzzing.
 */
class RootConfigFuzzTest {
    private static final int MAX_INPUT = 64 * 1024;
    private static final String VALID = """
            listeners: [{ name: l, bind: 127.0.0.1:10104, pool: p }]
            pools: [{ name: p, backends: [{ name: b, address: 127.0.0.11:104 }] }]
            """;

    // The timeout becomes libFuzzer's budget per input (JUnit's own is off in the fuzz run).
    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"admin:", "listen:", "token-file:", "listeners:", "pools:", "backends:", "name:", "bind:",
            "mode: dicom", "mode: tcp", "pool:", "routes:", "called-ae:", "calling-ae:", "source:", "sop-class:",
            "allowed-calling-aes:", "max-associate-rq:", "observe-pdus:", "timeouts:", "associate:", "idle:", "connect:",
            "max-connections:", "balance: leastconn", "balance: source", "balance: first", "retries:", "queue:",
            "size:", "timeout:", "health-check:", "type: dicom-echo", "type: http", "type: tcp", "interval:", "rise:",
            "fall:", "slow-start:", "on-down: shutdown", "address:", "weight:", "backup: true", "127.0.0.1:104",
            "\\x22[::1]:104\\x22", "10.0.0.0/8", "1.2.840.10008.1.1", "500ms", "1m30s", "&a ", "*a", "none"})
    void parse(byte[] data) throws ConfigException {
        if (data.length > MAX_INPUT) {
            return;
        }
        String text = new String(data, StandardCharsets.UTF_8);
        try {
            RootConfig config = RootConfigReader.parse("fuzz.yaml", text);
            assertThat(config.engine().listeners()).isNotEmpty();
        } catch (ConfigException e) {
            assertThat(e.errors()).isNotEmpty().allSatisfy(error -> {
                assertThat(error.location().line()).isPositive();
                assertThat(error.location().column()).isPositive();
                assertThat(error.message()).isNotBlank();
            });
        }
        assertThat(RootConfigReader.parse("valid.yaml", VALID).engine().pools()).hasSize(1);
    }
}
