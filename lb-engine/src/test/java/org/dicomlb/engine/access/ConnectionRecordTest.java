package org.dicomlb.engine.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
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
}
