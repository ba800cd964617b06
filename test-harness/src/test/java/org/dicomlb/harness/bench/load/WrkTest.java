package org.dicomlb.harness.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WrkTest {
    /** wrk 4.1.0 (Debian 12) output, as captured from a run against nginx. */
    private static final String OUTPUT = """
            Running 2s test @ http://127.0.0.21:11990/1k.bin
              1 threads and 8 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     1.38ms    2.11ms  26.31ms   91.24%
                Req/Sec     5.62k     1.51k    8.56k    55.00%
              Latency Distribution
                 50%  590.00us
                 75%    1.76ms
                 90%    3.30ms
                 99%   10.44ms
              11277 requests in 2.02s, 13.54MB read
            Requests/sec:   5570.51
            Transfer/sec:      6.69MB
            """;

    @Test
    void readsCountRateAndPercentilesInMilliseconds() throws IOException {
        Wrk.Result r = Wrk.parse(OUTPUT, "test");

        assertThat(r.requests()).isEqualTo(11277);
        assertThat(r.requestsPerSecond()).isEqualTo(5570.51);
        assertThat(r.p50Millis()).isEqualTo(0.59);
        assertThat(r.p99Millis()).isEqualTo(10.44);
    }

    @Test
    void socketErrorsFailTheMeasurement() {
        String withErrors = OUTPUT.replace("Requests/sec", "  Socket errors: connect 0, read 12, write 0, timeout 0\nRequests/sec");

        assertThatThrownBy(() -> Wrk.parse(withErrors, "dicomlb")).hasMessageContaining("read 12").hasMessageContaining("dicomlb");
    }

    @Test
    void errorResponsesFailTheMeasurement() {
        String with404 = OUTPUT.replace("Requests/sec", "  Non-2xx or 3xx responses: 11277\nRequests/sec");

        assertThatThrownBy(() -> Wrk.parse(with404, "direct")).hasMessageContaining("11277 non-2xx");
    }

    @Test
    void warmUpIsFiveSecondRunsTheLastOneShorter() {
        assertThat(Wrk.pieces(Duration.ofSeconds(20))).containsExactly(
                Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(Wrk.pieces(Duration.ofSeconds(7))).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(2));
        assertThat(Wrk.pieces(Duration.ofSeconds(1))).containsExactly(Duration.ofSeconds(1));
        // Even no warm-up asked for is one run (wrk's shortest, 1 s): a scenario's first measurement is never cold.
        assertThat(Wrk.pieces(Duration.ZERO)).containsExactly(Duration.ZERO);
    }
}
