package org.dicomlb.l4.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NeighboursTest {
    @Test
    void completeEntriesHaveAMacIncompleteOnesDoNot() {
        String arp = """
                IP address       HW type     Flags       HW address            Mask     Device
                198.51.100.11       0x1         0x2         56:0A:83:1a:34:f2     *        eth0
                198.51.100.55       0x1         0x0         00:00:00:00:00:00     *        eth0
                198.51.100.12       0x1         0x6         46:47:23:88:9c:74     *        eth1
                garbage
                """;
        Map<String, Neighbours.Entry> n = Neighbours.parse(arp);
        assertThat(n.get(Neighbours.key("eth0", "198.51.100.11")).mac()).isEqualTo("56:0a:83:1a:34:f2");
        assertThat(n.get(Neighbours.key("eth0", "198.51.100.55")).mac()).isNull();
        assertThat(n.get(Neighbours.key("eth1", "198.51.100.12")).mac()).isEqualTo("46:47:23:88:9c:74");
        assertThat(n.get(Neighbours.key("eth0", "198.51.100.12"))).isNull();
        assertThat(n).hasSize(3);
    }

    @Test
    void countersComeFromNftJson() throws IOException {
        String json = """
                {"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
                 {"counter": {"family": "netdev", "name": "c_dicom_archive_a", "table": "dicomlb", "handle": 3,
                  "packets": 12, "bytes": 3400}},
                 {"counter": {"family": "netdev", "name": "c_dicom_archive_b", "table": "dicomlb", "handle": 4,
                  "packets": 0, "bytes": 0}}]}
                """;
        Map<String, Counters.Value> c = Counters.parse(json);
        assertThat(c).containsEntry("c_dicom_archive_a", new Counters.Value(12, 3400))
                .containsEntry("c_dicom_archive_b", Counters.Value.ZERO).hasSize(2);
        assertThat(Counters.parse("")).isEmpty();
    }
}
