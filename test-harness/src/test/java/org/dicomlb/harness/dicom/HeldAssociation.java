package org.dicomlb.harness.dicom;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import org.dicomlb.dicom.dimse.DimseCodec;
import org.dicomlb.dicom.dimse.DimseCommand;
import org.dicomlb.dicom.dimse.DimseException;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduDecodeException;
import org.dicomlb.dicom.pdu.Pdv;
import org.dicomlb.dicom.pdu.ReleaseRp;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.dicomlb.engine.dicom.Pdus;

/**
 * A DICOM association through dicomlb that the test holds open and drives by hand, like a
 * modality in the middle of a long study: C-ECHOs on demand over the same association, then a
 * release. Blocking, one PDU at a time; every read has a 10 s timeout.
 */
final class HeldAssociation implements AutoCloseable {
    /** Our A-ASSOCIATE-RQ offers Verification as presentation context 1, and 16 KiB PDUs. */
    private static final int CONTEXT = 1;
    private static final long MAX_PDU = 16_384;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int messageId = 1;

    private HeldAssociation(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port} and negotiates; throws unless the answer is an A-ASSOCIATE-AC. */
    static HeldAssociation open(int port, String called, String calling) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(10_000);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        HeldAssociation a = new HeldAssociation(s);
        try {
            a.out.write(Pdus.rq(called, calling));
            a.out.flush();
            Pdu answer = a.read();
            if (!(answer instanceof AssociateAc)) {
                throw new IOException("association not accepted: " + answer);
            }
            return a;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** One C-ECHO on this association; returns the DIMSE status of the answer (0 is success). */
    int echo() throws IOException {
        byte[] command = DimseCodec.encode(DimseCommand.echoRq(messageId++));
        for (PDataTf p : PDataTf.fragment(CONTEXT, true, command, MAX_PDU)) {
            out.write(PduCodec.encodeToArray(p));
        }
        out.flush();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        while (true) {
            Pdu pdu = read();
            if (!(pdu instanceof PDataTf data)) {
                throw new IOException("expected the C-ECHO answer, got " + pdu);
            }
            for (Pdv pdv : data.pdvs()) {
                if (pdv.command()) {
                    answer.writeBytes(pdv.data().array());
                    if (pdv.last()) {
                        try {
                            return DimseCodec.decode(answer.toByteArray()).status().orElseThrow();
                        } catch (DimseException e) {
                            throw new IOException("malformed C-ECHO answer", e);
                        }
                    }
                }
            }
        }
    }

    /**
     * Waits for the other side to end the association without being asked: true when the
     * connection closes (or resets, or an A-ABORT comes) before anything else arrives.
     */
    boolean endedByPeer() throws IOException {
        try {
            Pdu pdu = read();
            return pdu == null || pdu instanceof Abort;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** A-RELEASE-RQ, and waits for the A-RELEASE-RP. */
    void release() throws IOException {
        out.write(PduCodec.encodeToArray(ReleaseRq.INSTANCE));
        out.flush();
        Pdu pdu = read();
        if (!(pdu instanceof ReleaseRp)) {
            throw new IOException("expected A-RELEASE-RP, got " + pdu);
        }
    }

    /** One whole PDU, or null when the stream ended before one began. */
    private Pdu read() throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] header = new byte[PduCodec.HEADER_LENGTH];
        int first = d.read();
        if (first < 0) {
            return null;
        }
        header[0] = (byte) first;
        d.readFully(header, 1, header.length - 1);
        long length = (header[2] & 0xffL) << 24 | (header[3] & 0xffL) << 16 | (header[4] & 0xffL) << 8 | (header[5] & 0xffL);
        if (length > 1 << 20) {
            throw new IOException("PDU of " + length + " octets; this client expects small ones");
        }
        byte[] pdu = Arrays.copyOf(header, header.length + (int) length);
        d.readFully(pdu, header.length, (int) length);
        try {
            return PduCodec.decode(pdu);
        } catch (PduDecodeException e) {
            throw new IOException("malformed PDU", e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
