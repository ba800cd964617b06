package org.dicomlb.engine.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dicomlb.dicom.pdu.Abort;
import org.dicomlb.dicom.pdu.AssociateRj;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduType;
import org.dicomlb.dicom.pdu.RejectReason;
import org.dicomlb.dicom.pdu.RejectResult;
import org.dicomlb.dicom.pdu.ReleaseRp;

/**
 * A DICOM acceptor that behaves as told, for the failure modes a real SCP rarely shows on cue:
 * it reads the A-ASSOCIATE-RQ (and keeps it), then answers per {@link Behaviour}. After an AC it
 * answers A-RELEASE-RQ and stops at an A-ABORT or a close. Shared through the test jar.
 */
public final class ScriptedAcceptor implements AutoCloseable {
    public enum Behaviour { ACCEPT, ACCEPT_THEN_ABORT, REJECT_TRANSIENT, REJECT_PERMANENT, ABORT, CLOSE, SILENT, GARBAGE }

    private final ServerSocket server;
    private final Behaviour behaviour;
    final List<byte[]> requests = new CopyOnWriteArrayList<>();
    final List<Socket> open = new CopyOnWriteArrayList<>();

    private ScriptedAcceptor(ServerSocket server, Behaviour behaviour) {
        this.server = server;
        this.behaviour = behaviour;
        Thread.ofVirtual().name("scripted-" + behaviour).start(this::acceptLoop);
    }

    public static ScriptedAcceptor start(String host, Behaviour behaviour) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 64);
        return new ScriptedAcceptor(s, behaviour);
    }

    public String hostPort() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** The type of every PDU received after an accepted request, in order (ACCEPT only). */
    public final java.util.List<Integer> pduTypes = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A-ASSOCIATE-RQs received so far. */
    public int requestCount() {
        return requests.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] rq = Pdus.read(in);
            if (rq == null) {
                return;
            }
            requests.add(rq);
            switch (behaviour) {
                case ACCEPT -> {
                    out.write(Pdus.acFor(rq));
                    relayUntilEnd(in, out, pduTypes);
                }
                case ACCEPT_THEN_ABORT -> {
                    // One write, so dicomlb reads the abort together with the AC, then the close.
                    byte[] ac = Pdus.acFor(rq);
                    byte[] abort = PduCodec.encodeToArray(Abort.BY_SERVICE_USER);
                    byte[] both = Arrays.copyOf(ac, ac.length + abort.length);
                    System.arraycopy(abort, 0, both, ac.length, abort.length);
                    out.write(both);
                }
                case REJECT_TRANSIENT -> out.write(PduCodec.encodeToArray(
                        AssociateRj.of(RejectResult.TRANSIENT, RejectReason.LOCAL_LIMIT_EXCEEDED)));
                case REJECT_PERMANENT -> out.write(PduCodec.encodeToArray(
                        AssociateRj.of(RejectResult.PERMANENT, RejectReason.CALLED_AE_TITLE_NOT_RECOGNIZED)));
                case ABORT -> out.write(PduCodec.encodeToArray(Abort.BY_SERVICE_USER));
                case CLOSE -> {
                    // close without a word
                }
                case SILENT -> in.read();
                case GARBAGE -> out.write(new byte[] {0x42, 0, 0, 0, 0, 0});
            }
            out.flush();
        } catch (IOException e) {
            // the peer went away; nothing to report
        } finally {
            open.remove(s);
        }
    }

    private static void relayUntilEnd(InputStream in, OutputStream out, java.util.List<Integer> types) throws IOException {
        for (byte[] pdu; (pdu = Pdus.read(in)) != null; ) {
            int type = pdu[0] & 0xff;
            types.add(type);
            if (type == PduType.A_RELEASE_RQ.code()) {
                out.write(PduCodec.encodeToArray(ReleaseRp.INSTANCE));
                out.flush();
                return;
            }
            if (type == PduType.A_ABORT.code()) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
