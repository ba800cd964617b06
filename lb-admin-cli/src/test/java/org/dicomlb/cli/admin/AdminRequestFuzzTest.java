package org.dicomlb.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.engine.Engine;
import org.dicomlb.engine.EngineStatus;
import org.dicomlb.engine.ReloadResult;
import org.dicomlb.engine.pool.AdminState;
import org.dicomlb.gslb.FailbackResult;
import org.dicomlb.io.EventLoops;
import org.dicomlb.io.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the admin API's request handling, as a connection to the admin
 * listener feeds it: any bytes get an HTTP answer or nothing yet (an incomplete request), never
 * an exception out of the pipeline, and nothing changes state unless the request said
 * {@code application/json} (the guard against cross-site requests). A well-formed request on a
 * fresh connection is still answered after each input.
 *
 * <p>Seeds (whole requests): {@code src/test/resources/org/dicomlb/cli/admin/AdminRequestFuzzTestInputs/request/}.
 * See docs/development.md#fuzzing.
 */
class AdminRequestFuzzTest {
    private static final int MAX_INPUT = 16 * 1024;
    /** The server is never bound: only an accepted connection's request handling runs, on embedded channels. */
    private static final DefaultEventLoop UNUSED_LOOP = new DefaultEventLoop();

    @AfterAll
    static void stopLoop() {
        UNUSED_LOOP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** An API that changes nothing real and counts what would have changed. */
    private static final class CountingApi implements AdminApi {
        final AtomicInteger changes = new AtomicInteger();

        @Override
        public ApplianceStatus status() {
            return ApplianceStatus.of("fuzz", new EngineStatus("epoll", List.of(), List.of(), null));
        }

        @Override
        public String scrape() {
            return "# fuzz\n";
        }

        @Override
        public CompletableFuture<ReloadResult> reload() {
            changes.incrementAndGet();
            return CompletableFuture.completedFuture(ReloadResult.applied("fuzz"));
        }

        @Override
        public CompletableFuture<Engine.StateChange> setBackendState(String pool, String backend, AdminState state) {
            changes.incrementAndGet();
            return CompletableFuture.completedFuture(new Engine.StateChange(false, "no backend in the fuzz test", null));
        }

        @Override
        public CompletableFuture<FailbackResult> gslbFailback(String name) {
            changes.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalArgumentException("no GSLB name " + name + " in the fuzz test"));
        }

        @Override
        public CompletableFuture<org.dicomlb.engine.live.LiveConnections> connections(
                java.util.function.Predicate<org.dicomlb.engine.live.LiveConnection> filter, int limit) {
            return CompletableFuture.completedFuture(new org.dicomlb.engine.live.LiveConnections(0, List.of()));
        }

        @Override
        public CompletableFuture<java.util.Optional<org.dicomlb.engine.live.OperatorClose>> closeConnection(long id) {
            changes.incrementAndGet();
            return CompletableFuture.completedFuture(java.util.Optional.empty());
        }

        @Override
        public java.util.Optional<org.dicomlb.vip.VipStatus> vipStatus() {
            return java.util.Optional.empty();
        }

        @Override
        public java.util.Optional<CompletableFuture<org.dicomlb.vip.VipStatus>> demoteVip(boolean demote) {
            changes.incrementAndGet();
            return java.util.Optional.empty();
        }
    }

    private static EmbeddedChannel connection(AdminServer server) {
        EmbeddedChannel ch = new EmbeddedChannel();
        server.addHttpHandlers(ch);
        return ch;
    }

    private static String answered(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            if (o instanceof ByteBuf b) {
                out.append(b.toString(StandardCharsets.ISO_8859_1));
                b.release();
            }
        }
        return out.toString();
    }

    // The timeout becomes libFuzzer's budget per input (JUnit's own is off in the fuzz run).
    // Dictionary entries are in libFuzzer's syntax: CR, LF and quotes written as \xNN escapes.
    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @DictionaryEntries({"GET ", "POST ", "PUT ", " HTTP/1.1\\x0d\\x0a", " HTTP/1.0\\x0d\\x0a", "\\x0d\\x0a\\x0d\\x0a", "Host: 127.0.0.1\\x0d\\x0a",
            "Host: localhost:9900\\x0d\\x0a", "Host: evil.example\\x0d\\x0a", "Origin: http://evil.example\\x0d\\x0a",
            "Content-Type: application/json\\x0d\\x0a", "Content-Type: text/plain\\x0d\\x0a", "Content-Length: ",
            "Transfer-Encoding: chunked\\x0d\\x0a", "Authorization: Bearer ", "Connection: close\\x0d\\x0a", "/api/v1/status",
            "/api/v1/reload", "/api/v1/pools/p/backends/b/state", "/api/v1/connections?ae=CT*&backend=p/b&limit=5",
            "/api/v1/connections/1/close", "/", "/api/v1/gslb/dicom.example.org/failback", "/api/v1/vip", "/api/v1/vip/demote",
            "/metrics", "/healthz", "%ZZ", "%2F",
            "{\\x22state\\x22:\\x22drain\\x22}", "{\\x22state\\x22:\\x22maint\\x22}"})
    void request(byte[] data) {
        if (data.length > MAX_INPUT) {
            return;
        }
        CountingApi api = new CountingApi();
        AdminServer server = new AdminServer(new EventLoops.Group("fuzz", UNUSED_LOOP, Transport.NIO), api);
        EmbeddedChannel ch = connection(server);
        ch.writeInbound(Unpooled.wrappedBuffer(data));
        ch.runPendingTasks();
        String out = answered(ch);
        assertThat(out.isEmpty() || out.startsWith("HTTP/1.1 ")).as("an HTTP answer or nothing yet: %s", out).isTrue();
        if (api.changes.get() > 0) {
            String text = new String(data, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            assertThat(text).as("a change without a JSON content type").contains("application/json");
        }
        ch.finishAndReleaseAll();

        EmbeddedChannel fresh = connection(server);
        fresh.writeInbound(Unpooled.copiedBuffer("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", StandardCharsets.US_ASCII));
        fresh.runPendingTasks();
        assertThat(answered(fresh)).startsWith("HTTP/1.1 200 OK");
        fresh.finishAndReleaseAll();
    }
}
