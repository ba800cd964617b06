package org.dicomlb.dicom.scp;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.dimse.DimseCodec;
import org.dicomlb.dicom.dimse.DimseCommand;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.ReleaseRp;
import org.dicomlb.dicom.pdu.ReleaseRq;
import org.dicomlb.dicom.pdu.UserInformation;

/** A minimal blocking C-STORE requestor for tests, on a plain socket with a read timeout. */
final class BlockingStoreScu implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private long peerMaxLength;
    private int nextMessageId = 1;

    BlockingStoreScu(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    AssociateAc associate(AeTitle called, AeTitle calling, PresentationContextRq... contexts) throws Exception {
        send(AssociateRq.of(called, calling, List.of(contexts), UserInformation.dicomlb(16_384)));
        AssociateAc ac = (AssociateAc) read();
        peerMaxLength = ac.userInformation().maxLength();
        return ac;
    }

    DimseCommand store(int contextId, String sopClass, String sopInstance, byte[] dataSet) throws Exception {
        int id = nextMessageId++;
        for (PDataTf p : PDataTf.fragment(contextId, true,
                DimseCodec.encode(DimseCommand.storeRq(id, sopClass, sopInstance, 0)), peerMaxLength)) {
            send(p);
        }
        for (PDataTf p : PDataTf.fragment(contextId, false, dataSet, peerMaxLength)) {
            send(p);
        }
        return ScpHandlerTest.command(read());
    }

    void release() throws Exception {
        send(ReleaseRq.INSTANCE);
        if (!(read() instanceof ReleaseRp)) {
            throw new IOException("expected A-RELEASE-RP");
        }
    }

    private void send(Pdu pdu) throws IOException {
        out.write(PduCodec.encodeToArray(pdu));
        out.flush();
    }

    private Pdu read() throws Exception {
        byte[] header = new byte[6];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 24) | ((header[3] & 0xff) << 16) | ((header[4] & 0xff) << 8)
                | (header[5] & 0xff);
        byte[] pdu = new byte[6 + length];
        System.arraycopy(header, 0, pdu, 0, 6);
        in.readFully(pdu, 6, length);
        return PduCodec.decode(pdu);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
