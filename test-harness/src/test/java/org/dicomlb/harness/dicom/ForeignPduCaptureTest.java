package org.dicomlb.harness.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PresentationContextAc;
import org.dicomlb.dicom.pdu.PresentationContextResult;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.ReleaseRp;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.dicomlb.dicom.pdu.UserInformation;
import org.dicomlb.harness.peers.Dcmtk;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.harness.peers.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PDUs captured from DCMTK as raw bytes on loopback sockets: our codec must decode them and
 * encode them back to the same octets, reserved fields aside (we write those as zero).
 */
class ForeignPduCaptureTest {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private static final String FIND = "1.2.840.10008.5.1.4.1.2.2.1";

    @TempDir
    Path work;

    @Test
    void storescpAcceptDecodesAndReencodesByteForByte() throws Exception {
        try (StoreScp scp = StoreScp.start(StoreScp.Options.of("STORESCP", work.resolve("scp")));
                Socket socket = new Socket()) {
            socket.connect(scp.address(), 5000);
            socket.setSoTimeout(10_000);
            AssociateRq rq = AssociateRq.of(AeTitle.of("STORESCP"), AeTitle.of("DICOMLB"), List.of(
                    PresentationContextRq.of(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LITTLE_ENDIAN),
                    PresentationContextRq.of(3, CT, Uids.EXPLICIT_VR_LITTLE_ENDIAN, Uids.IMPLICIT_VR_LITTLE_ENDIAN),
                    PresentationContextRq.of(5, FIND, Uids.IMPLICIT_VR_LITTLE_ENDIAN)),
                    UserInformation.dicomlb(32_768));
            write(socket, PduCodec.encodeToArray(rq));
            byte[] acBytes = readPdu(socket);
            AssociateAc ac = (AssociateAc) PduCodec.decode(acBytes);

            // storescp writes its reserved fields as zero, as we do: the re-encoding is exact.
            assertThat(PduCodec.encodeToArray(ac)).as("byte-exact re-encoding").isEqualTo(acBytes);
            assertThat(ac.calledAe()).isEqualTo(rq.calledAe());
            assertThat(ac.callingAe()).isEqualTo(rq.callingAe());
            assertThat(ac.presentationContext(1)).contains(PresentationContextAc.accept(1,
                    Uids.IMPLICIT_VR_LITTLE_ENDIAN));
            assertThat(ac.presentationContext(3)).hasValueSatisfying(pc -> assertThat(pc.accepted()).isTrue());
            assertThat(ac.presentationContext(5)).hasValueSatisfying(pc -> assertThat(pc.result())
                    .isEqualTo(PresentationContextResult.ABSTRACT_SYNTAX_NOT_SUPPORTED));
            assertThat(ac.userInformation().maxLength()).isEqualTo(16_384);
            assertThat(ac.userInformation().implementationClassUid()).hasValueSatisfying(
                    uid -> assertThat(uid).startsWith("1.2.276.0.7230010.3"));
            assertThat(ac.userInformation().implementationVersionName()).contains("OFFIS_DCMTK_367");

            write(socket, PduCodec.encodeToArray(ReleaseRq.INSTANCE));
            assertThat(PduCodec.decode(readPdu(socket))).isEqualTo(ReleaseRp.INSTANCE);
        }
    }

    @Test
    void storescuRequestDecodesAndReencodesByteForByte() throws Exception {
        TestInstances.Instance instance = TestInstances.secondaryCapture(work.resolve("source"), 7, 8, 8, false);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(20_000);
            CompletableFuture<Tools.Result> storescu = CompletableFuture.supplyAsync(() -> Tools.run(
                    Duration.ofSeconds(30), work.resolve("tools"), List.of(Dcmtk.storescu().toString(),
                            "-aet", "MODALITY1", "-aec", "ARCHIVE", "127.0.0.1",
                            Integer.toString(server.getLocalPort()), instance.file().toString())));
            byte[] rqBytes;
            try (Socket socket = server.accept()) {
                socket.setSoTimeout(10_000);
                rqBytes = readPdu(socket);
                // A transient reject ends storescu's attempt cleanly.
                write(socket, PduCodec.encodeToArray(AssociateRj.of(RejectResult.TRANSIENT,
                        RejectReason.TEMPORARY_CONGESTION)));
            }
            AssociateRq rq = (AssociateRq) PduCodec.decode(rqBytes);
            // DCMTK fills the reserved result octet of each proposed context with 0xFF; we write
            // reserved fields as zero, so the re-encoding may differ there and nowhere else.
            byte[] again = PduCodec.encodeToArray(rq);
            assertThat(again).hasSameSizeAs(rqBytes);
            Set<Integer> reserved = reservedOffsets(rqBytes);
            for (int i = 0; i < again.length; i++) {
                if (again[i] != rqBytes[i]) {
                    assertThat(reserved).as("octet %d differs but is not a reserved field", i).contains(i);
                    assertThat(again[i]).isZero();
                }
            }
            assertThat(PduCodec.decode(again)).isEqualTo(rq);
            assertThat(rq.callingAe().asAeTitle()).contains(AeTitle.of("MODALITY1"));
            assertThat(rq.calledAe().asAeTitle()).contains(AeTitle.of("ARCHIVE"));
            assertThat(rq.supportsVersion1()).isTrue();
            assertThat(rq.presentationContexts()).anySatisfy(pc -> {
                assertThat(pc.abstractSyntax()).isEqualTo(Uids.SECONDARY_CAPTURE_IMAGE_STORAGE);
                assertThat(pc.transferSyntaxes()).contains(Uids.EXPLICIT_VR_LITTLE_ENDIAN);
            });
            assertThat(rq.userInformation().implementationVersionName()).contains("OFFIS_DCMTK_367");

            Tools.Result result = storescu.get(40, TimeUnit.SECONDS);
            assertThat(result.exitCode()).as(result.toString()).isNotZero();
            assertThat(result.output()).contains("Rejected Transient");
        }
    }

    /**
     * Offsets of the reserved fields of an A-ASSOCIATE-RQ/AC (PS3.8 tables 9-11, 9-14, 9-17),
     * walked from the bytes themselves.
     */
    private static Set<Integer> reservedOffsets(byte[] pdu) {
        Set<Integer> out = new HashSet<>(List.of(1, 8, 9));
        for (int i = 42; i < 74; i++) {
            out.add(i);
        }
        int p = 74;
        while (p + 4 <= pdu.length) {
            int type = pdu[p] & 0xff;
            int length = (pdu[p + 2] & 0xff) << 8 | (pdu[p + 3] & 0xff);
            out.add(p + 1);
            if (type == 0x20 || type == 0x21) {
                out.addAll(List.of(p + 5, p + 7));
                if (type == 0x20) {
                    out.add(p + 6); // result/reason: reserved in a request
                }
                for (int q = p + 8; q + 4 <= p + 4 + length; q += 4 + ((pdu[q + 2] & 0xff) << 8 | (pdu[q + 3] & 0xff))) {
                    out.add(q + 1);
                }
            } else if (type == 0x50) {
                for (int q = p + 4; q + 4 <= p + 4 + length; q += 4 + ((pdu[q + 2] & 0xff) << 8 | (pdu[q + 3] & 0xff))) {
                    out.add(q + 1);
                }
            }
            p += 4 + length;
        }
        return out;
    }

    private static void write(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** One whole PDU, header included; the 32-bit length is read unsigned and bounded. */
    private static byte[] readPdu(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] header = new byte[6];
        in.readFully(header);
        long length = ((header[2] & 0xffL) << 24) | ((header[3] & 0xff) << 16) | ((header[4] & 0xff) << 8)
                | (header[5] & 0xff);
        assertThat(length).as("PDU length").isLessThan(1 << 20);
        byte[] pdu = new byte[6 + (int) length];
        System.arraycopy(header, 0, pdu, 0, 6);
        in.readFully(pdu, 6, (int) length);
        return pdu;
    }
}
