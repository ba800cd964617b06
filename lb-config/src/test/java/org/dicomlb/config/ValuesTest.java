package org.dicomlb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {
    @Test
    void durations() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.format(Duration.ofMillis(90_500))).isEqualTo("1m30s500ms");
        assertThat(Durations.parse(Durations.format(Duration.ofMillis(3_723_004)))).isEqualTo(Duration.ofMillis(3_723_004));
        for (String bad : new String[] {"10", "10 s", "-1s", "s", "1.5s", ""}) {
            assertThatThrownBy(() -> Durations.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void addresses() {
        assertThat(SocketAddresses.parse("127.0.0.11:11112")).isEqualTo(new InetSocketAddress("127.0.0.11", 11112));
        assertThat(SocketAddresses.parse("[::1]:104")).isEqualTo(new InetSocketAddress("::1", 104));
        assertThat(SocketAddresses.format(SocketAddresses.parse("[::1]:104"))).isEqualTo("[0:0:0:0:0:0:0:1]:104");
        assertThatThrownBy(() -> SocketAddresses.parse("pacs.example.org:104")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> SocketAddresses.parse("127.0.0.1")).hasMessageContaining("no port");
        assertThatThrownBy(() -> SocketAddresses.parse("127.0.0.1:0")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> SocketAddresses.parse("::1:104")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> SocketAddresses.parse("[::1]104")).hasMessageContaining("[v6-address]:port");
    }

    @Test
    void cidrs() throws Exception {
        Cidr c = Cidr.parse("127.0.1.77/24");
        assertThat(c.toString()).isEqualTo("127.0.1.0/24");
        assertThat(c.contains(InetAddress.getByName("127.0.1.200"))).isTrue();
        assertThat(c.contains(InetAddress.getByName("127.0.2.1"))).isFalse();
        assertThat(c.contains(InetAddress.getByName("::1"))).isFalse();
        assertThat(Cidr.parse("::/0").contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(Cidr.parse("127.0.0.5").contains(InetAddress.getByName("127.0.0.5"))).isTrue();
        assertThatThrownBy(() -> Cidr.parse("127.0.0.0/33")).hasMessageContaining("0..32");
    }
}
