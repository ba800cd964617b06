package org.dicomlb.engine.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
