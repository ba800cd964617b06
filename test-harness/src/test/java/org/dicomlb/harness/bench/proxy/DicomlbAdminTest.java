package org.dicomlb.harness.bench.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DicomlbAdminTest {
    private static String status(String health, String reason) {
        return """
                {"transport":"epoll","listeners":[],"pools":[{"name":"bench","backends":[
                  {"name":"b1","health":"up","health_reason":""},
                  {"name":"b2","health":"%s","health_reason":"%s"}]}]}
                """.formatted(health, reason);
    }

    @Test
    void listsEveryBackendThatIsNotUpWithItsReason() throws IOException {
        assertThat(DicomlbAdmin.notUp(status("up", ""))).isEmpty();
        assertThat(DicomlbAdmin.notUp(status("down", "first check failed: timeout after 1s")))
                .containsExactly("bench/b2: down (first check failed: timeout after 1s)");
        assertThat(DicomlbAdmin.notUp(status("starting", ""))).containsExactly("bench/b2: starting");
        assertThatThrownBy(() -> DicomlbAdmin.notUp("{\"pools\":[]}")).hasMessageContaining("no pools");
    }

    @Test
    void waitsUntilTheChecksBringEveryBackendUp() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        HttpServer admin = admin(() -> asked.incrementAndGet() < 4 ? status("down", "first check failed") : status("up", ""));
        try {
            Duration waited = DicomlbAdmin.awaitBackendsUp(admin.getAddress(), Duration.ofSeconds(10));

            assertThat(asked).hasValue(4);
            assertThat(waited).isLessThan(Duration.ofSeconds(5));
        } finally {
            admin.stop(0);
        }
    }

    @Test
    void failsAfterItsTimeoutQuotingWhatIsDown() throws Exception {
        HttpServer admin = admin(() -> status("down", "timeout after 1s"));
        try {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> DicomlbAdmin.awaitBackendsUp(admin.getAddress(), Duration.ofMillis(300)))
                    .hasMessageContaining("not up").hasMessageContaining("bench/b2: down (timeout after 1s)");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        } finally {
            admin.stop(0);
        }
    }

    private static HttpServer admin(java.util.function.Supplier<String> body) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        s.createContext("/api/v1/status", ex -> {
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        s.start();
        return s;
    }
}
