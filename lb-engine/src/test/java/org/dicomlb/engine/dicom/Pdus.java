package org.dicomlb.engine.dicom;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduDecodeException;
import org.dicomlb.dicom.pdu.PresentationContextAc;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.UserInformation;

/** PDU octets for tests, and a blocking reader of one PDU. */
public final class Pdus {
    private Pdus() {
    }

    static AssociateRq request(String called, String calling, String... abstractSyntaxes) {
        String[] syntaxes = abstractSyntaxes.length == 0 ? new String[] {Uids.VERIFICATION} : abstractSyntaxes;
        List<PresentationContextRq> contexts = new java.util.ArrayList<>();
        for (int i = 0; i < syntaxes.length; i++) {
            contexts.add(PresentationContextRq.of(2 * i + 1, syntaxes[i], Uids.IMPLICIT_VR_LITTLE_ENDIAN));
        }
        return AssociateRq.of(AeTitle.of(called), AeTitle.of(calling), contexts, UserInformation.dicomlb(16_384));
    }

    /** An A-ASSOCIATE-RQ proposing each abstract syntax (Verification when none) in Implicit VR LE. */
    public static byte[] rq(String called, String calling, String... abstractSyntaxes) {
        return PduCodec.encodeToArray(request(called, calling, abstractSyntaxes));
    }

    /** An AC accepting every proposed context, echoing the request's AE fields. */
    static byte[] acFor(byte[] rqBytes) {
        AssociateRq rq = (AssociateRq) decode(rqBytes);
        return PduCodec.encodeToArray(AssociateAc.answering(rq, rq.presentationContexts().stream()
                .map(pc -> PresentationContextAc.accept(pc.id(), Uids.IMPLICIT_VR_LITTLE_ENDIAN)).toList(),
                UserInformation.dicomlb(16_384)));
    }

    static Pdu decode(byte[] pdu) {
        try {
            return PduCodec.decode(pdu);
        } catch (PduDecodeException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** One whole PDU from {@code in}, or null when the stream ended before one began. */
    static byte[] read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] header = new byte[PduCodec.HEADER_LENGTH];
        int first = d.read();
        if (first < 0) {
            return null;
        }
        header[0] = (byte) first;
        d.readFully(header, 1, header.length - 1);
        long length = (header[2] & 0xffL) << 24 | (header[3] & 0xffL) << 16 | (header[4] & 0xffL) << 8 | (header[5] & 0xffL);
        if (length > 1 << 24) {
            throw new IOException("PDU of " + length + " octets in a test");
        }
        byte[] pdu = Arrays.copyOf(header, header.length + (int) length);
        d.readFully(pdu, header.length, (int) length);
        return pdu;
    }

    /** Takes every ByteBuf out of an EmbeddedChannel's queue, releasing them: their octets in order. */
    static byte[] drain(Queue<Object> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o; (o = messages.poll()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            b.release();
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    /** The called and calling AE fields (octets 10..41) of an A-ASSOCIATE-RQ or -AC. */
    static byte[] aeFields(byte[] pdu) {
        return Arrays.copyOfRange(pdu, 10, 42);
    }
}
