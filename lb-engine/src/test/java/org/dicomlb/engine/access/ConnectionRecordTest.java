package org.dicomlb.engine.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.dicomlb.engine.config.Balance;
import org.dicomlb.engine.config.BackendConfig;
import org.dicomlb.engine.config.PoolConfig;
import org.dicomlb.engine.config.QueueConfig;
import org.dicomlb.engine.pool.Endpoint;
import org.dicomlb.engine.pool.Pool;
import org.dicomlb.engine.testing.Pools;
import org.junit.jupiter.api.Test;

class ConnectionRecordTest {
    @Test
    void valuesThatNeedItAreQuotedAndEscaped() {
        ConnectionRecord r = new ConnectionRecord("l", "dicom", new InetSocketAddress("127.0.0.1", 4000));
        r.field("calling_ae", "CT 01");
        r.field("called_ae", "A\"B\\C");
        r.field("odd", "tab\there");
        r.field("plain", "ARCHIVE");
        r.field("empty", "");
        r.end(EndReason.CLIENT_CLOSE);
        assertThat(r.format()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z listener=l mode=dicom "
                + "client=127\\.0\\.0\\.1:4000 pool=- backend=- server=- attempts=0 calling_ae=\"CT 01\" "
                + "called_ae=\"A\\\\\"B\\\\\\\\C\" odd=\"tab\\\\x09here\" plain=ARCHIVE empty=- bytes_in=0 bytes_out=0 "
                + "duration_ms=\\d+ end=client_close");
    }

    @Test
    void aFieldSetAgainKeepsItsPlaceAndManyFieldsAllAppearInOrder() {
        ConnectionRecord r = new ConnectionRecord("l", "http", new InetSocketAddress("127.0.0.1", 4000));
        for (int i = 0; i < 30; i++) {
            r.field("f" + i, null);
        }
        r.field("f0", "first");
        r.field("f29", "last");
        assertThat(r.field("f0")).isEqualTo("first");
        assertThat(r.field("absent")).isNull();
        String line = r.format();
        assertThat(line).contains(" attempts=0 f0=first f1=- ").contains(" f28=- f29=last bytes_in=0 ");
    }

    @Test
    void aRequestRecordTakesOverItsConnectionsClientAndItsStartAndAProxiedClientReplacesIt() {
        ConnectionRecord connection = new ConnectionRecord("l", "http", new InetSocketAddress("127.0.0.1", 4000));
        connection.proxied(new InetSocketAddress("127.0.0.9", 5000));
        long began = System.nanoTime() - 50_000_000L;
        ConnectionRecord request = new ConnectionRecord("l", "http", connection, began);
        assertThat(request.client()).isEqualTo(new InetSocketAddress("127.0.0.9", 5000));
        // Its duration runs from when the request began (its first byte), not from when the record was made.
        assertThat(request.startNanos()).isEqualTo(began);
        assertThat(request.durationNanos()).isGreaterThanOrEqualTo(50_000_000L);
        assertThat(request.format()).contains(" client=127.0.0.9:5000 ");
        assertThat(connection.format()).contains(" client=127.0.0.9:5000 ").contains(" via=127.0.0.1:4000 ");
    }

    @Test
    void aConnectionsRequestsShareTheirLinesPrefixUntilClientPoolOrBackendChange() {
        Pool p = Pools.live(new PoolConfig("p", Balance.ROUNDROBIN, 3, QueueConfig.NONE, List.of(
                new BackendConfig("b1", new InetSocketAddress("127.0.0.1", 2001), 1, false, 0),
                new BackendConfig("b2", new InetSocketAddress("127.0.0.1", 2002), 1, false, 0))));
        InetAddress client = InetAddress.getLoopbackAddress();
        Endpoint first = p.pick(client, Set.of()).endpoint();
        Endpoint second = p.pick(client, Set.of(first)).endpoint();
        ConnectionRecord connection = new ConnectionRecord("l", "http", new InetSocketAddress("127.0.0.1", 4000));

        String prefix = " listener=l mode=http client=127.0.0.1:4000 pool=p backend=" + first.name() + " server="
                + first.addressText() + " attempts=1 ";
        assertThat(request(connection, "p", first).format()).contains(prefix);
        // The second request of the connection copies the first's prefix: the same text.
        assertThat(request(connection, "p", first).format()).contains(prefix);
        assertThat(request(connection, "p", second).format()).contains(" pool=p backend=" + second.name() + " server="
                + second.addressText() + " attempts=1 ");
        assertThat(request(connection, new String("q"), second).format()).contains(" pool=q backend=" + second.name() + " ");
        assertThat(request(connection, null, null).format()).contains(" client=127.0.0.1:4000 pool=- backend=- server=- ");
        assertThat(request(connection, "p", first).format()).contains(prefix);
        // A client a PROXY header names afterwards is the line's from then on.
        connection.proxied(new InetSocketAddress("127.0.0.9", 5000));
        assertThat(request(connection, "p", first).format()).contains(" client=127.0.0.9:5000 pool=p backend=" + first.name() + " ");
    }

    private static ConnectionRecord request(ConnectionRecord connection, String pool, Endpoint endpoint) {
        ConnectionRecord r = new ConnectionRecord("l", "http", connection, System.nanoTime());
        r.pool(pool);
        r.endpoint(endpoint);
        r.attempt();
        return r;
    }

    @Test
    void aRecordThatIsOverKeepsItsDurationAndItsFirstEnd() throws Exception {
        ConnectionRecord r = new ConnectionRecord("l", "http", new InetSocketAddress("127.0.0.1", 4000));
        Thread.sleep(2);
        r.over(EndReason.COMPLETE);
        long d = r.durationNanos();
        assertThat(d).isGreaterThanOrEqualTo(2_000_000L);
        Thread.sleep(5);
        r.over(EndReason.CLIENT_ABORTED);
        assertThat(r.durationNanos()).isEqualTo(d);
        assertThat(r.end()).isEqualTo(EndReason.COMPLETE);
    }

    @Test
    void theTimeStampAlwaysHasThreeFractionDigitsAndFollowsTheSecond() {
        assertThat(stamp(5)).isEqualTo("1970-01-01T00:00:00.005Z");
        assertThat(stamp(1_000)).isEqualTo("1970-01-01T00:00:01.000Z");
        assertThat(stamp(1_796_000_059_999L)).isEqualTo("2026-11-30T00:54:19.999Z");
        assertThat(stamp(1_796_000_060_000L)).isEqualTo("2026-11-30T00:54:20.000Z");
        assertThat(stamp(1_796_000_059_999L)).isEqualTo("2026-11-30T00:54:19.999Z");
    }

    private static String stamp(long epochMillis) {
        LineBuilder b = LineBuilder.get();
        LogClock.append(b, epochMillis);
        return new String(b.finish(), StandardCharsets.US_ASCII);
    }
}
