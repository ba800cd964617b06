package org.dicomlb.harness.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The open-loop generator against a server on 127.0.0.1 (an ephemeral port) that stalls every
 * request it receives in the first 200 ms after its first one, as new connections through a
 * proxy do: those delays belong to the settling histogram, and the measured one starts clean.
 */
class ConstantRateHttpTest {
    private static final long STALL_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long STALL_MILLIS = 300;

    private final ExecutorService handlers = Executors.newFixedThreadPool(4);
    private HttpServer server;
    private final AtomicLong firstRequest = new AtomicLong();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(handlers);
        byte[] body = "ok".getBytes();
        server.createContext("/", exchange -> {
            long now = System.nanoTime();
            firstRequest.compareAndSet(0, now);
            if (now - firstRequest.get() < STALL_WINDOW_NANOS) {
                try {
                    Thread.sleep(STALL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
        handlers.shutdownNow();
    }

    @Test
    void theSettlingPeriodsDelaysAreKeptApartFromTheMeasuredLatency() throws Exception {
        ConstantRateHttp.Result r = ConstantRateHttp.run(server.getAddress(), "/", 2, 100, Duration.ofSeconds(1), Duration.ofSeconds(1));

        assertThat(r.errors()).isZero();
        assertThat(r.settling().getMaxValue()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS));
        assertThat(r.settling().getTotalCount()).isBetween(99L, 101L);
        // Every request due after the first second was sent and answered without the stall.
        assertThat(r.completed()).isBetween(99L, 101L);
        assertThat(r.latency().getTotalCount()).isEqualTo(r.completed());
        assertThat(r.percentileMillis(99)).isLessThan(STALL_MILLIS / 2.0);
        assertThat(r.achieved()).isBetween(99.0, 101.0);
    }

    @Test
    void withoutASettlingPeriodTheStallIsMeasured() throws Exception {
        ConstantRateHttp.Result r = ConstantRateHttp.run(server.getAddress(), "/", 2, 100, Duration.ZERO, Duration.ofSeconds(1));

        assertThat(r.errors()).isZero();
        assertThat(r.settling().getTotalCount()).isZero();
        assertThat(r.latency().getMaxValue()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS));
    }

    @Test
    void aResponseWithoutContentLengthIsAnErrorThatSaysSo() throws Exception {
        // Length 0 makes the JDK's server send the body chunked.
        server.createContext("/chunked", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("ok".getBytes());
            }
        });
        ConstantRateHttp.Result r = ConstantRateHttp.run(server.getAddress(), "/chunked", 2, 100, Duration.ZERO, Duration.ofMillis(500));

        assertThat(r.errors()).isPositive();
        assertThat(r.failure()).contains("Content-Length");
    }

    @Test
    void aStatusOtherThan200IsAnError() throws Exception {
        server.createContext("/busy", exchange -> {
            byte[] body = "busy".getBytes();
            exchange.sendResponseHeaders(503, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        ConstantRateHttp.Result r = ConstantRateHttp.run(server.getAddress(), "/busy", 2, 100, Duration.ZERO, Duration.ofMillis(500));

        assertThat(r.errors()).isBetween(49L, 51L);
        assertThat(r.completed()).isZero();
        assertThat(r.failure()).isEqualTo("a response with status 503");
    }

    @Test
    void aNegativeSettlingPeriodIsRefused() {
        assertThatThrownBy(() -> ConstantRateHttp.run(server.getAddress(), "/", 2, 100, Duration.ofMillis(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("settling");
    }
}
