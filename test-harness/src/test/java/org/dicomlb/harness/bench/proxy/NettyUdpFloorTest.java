package org.dicomlb.harness.bench.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DNS scenario's floor answers every query with the query turned into an empty authoritative
 * NOERROR response, and ignores what is not a query. On 127.0.0.1, an ephemeral UDP port.
 */
@Timeout(30)
class NettyUdpFloorTest {
    @Test
    void answersAQueryWithItsEmptyAuthoritativeResponseAndIgnoresResponses() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            List<Channel> sockets = NettyUdpFloor.start(group, new InetSocketAddress("127.0.0.1", 0), 1);
            InetSocketAddress floor = (InetSocketAddress) sockets.getFirst().localAddress();
            client.setSoTimeout(5000);
            byte[] query = query(0x1234, 0x01, "dicom.example.org", 1);

            byte[] response = exchange(client, floor, query);

            assertThat(response).hasSize(query.length);
            assertThat(Arrays.copyOfRange(response, 0, 2)).isEqualTo(new byte[] {0x12, 0x34});
            assertThat(response[2] & 0xff).isEqualTo(0x80 | 0x04 | 0x01); // QR, AA, RD kept
            assertThat(response[3] & 0xff).isZero(); // NOERROR
            assertThat(Arrays.copyOfRange(response, 4, response.length)).isEqualTo(Arrays.copyOfRange(query, 4, query.length));

            byte[] notAQuery = query.clone();
            notAQuery[2] |= (byte) 0x80;
            client.send(new DatagramPacket(notAQuery, notAQuery.length, floor));
            // Only the next query's answer comes back: the response sent above got none.
            byte[] next = query(0x4321, 0x00, "nosuch.dicom.example.org", 28);
            byte[] answer = exchange(client, floor, next);
            assertThat(Arrays.copyOfRange(answer, 0, 2)).isEqualTo(new byte[] {0x43, 0x21});
            assertThat(answer[2] & 0xff).isEqualTo(0x80 | 0x04);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static byte[] exchange(DatagramSocket client, InetSocketAddress to, byte[] query) throws Exception {
        client.send(new DatagramPacket(query, query.length, to));
        DatagramPacket in = new DatagramPacket(new byte[512], 512);
        client.receive(in);
        return Arrays.copyOf(in.getData(), in.getLength());
    }

    /** A standard query for {@code name}, type {@code type}, class IN; {@code flags} is the low octet of byte 2 (RD = 1). */
    private static byte[] query(int id, int flags, String name, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, (byte) flags, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(new byte[] {0, 0, (byte) type, 0, 1});
        return out.toByteArray();
    }
}
