package org.dicomlb.dicom.scp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.SocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.dicomlb.dicom.dimse.DimseCodec;
import org.dicomlb.dicom.dimse.DimseCommand;
import org.dicomlb.dicom.pdu.AssociateAc;
import org.dicomlb.dicom.pdu.AssociateRq;
import org.dicomlb.dicom.pdu.PDataTf;
import org.dicomlb.dicom.pdu.Pdu;
import org.dicomlb.dicom.pdu.PduCodec;
import org.dicomlb.dicom.pdu.PduDecodeException;
import org.dicomlb.dicom.pdu.PresentationContextRq;
import org.dicomlb.dicom.pdu.UserInformation;

/** One SCP association pipeline in an EmbeddedChannel, with the peer's side as helpers. */
final class EmbeddedScp implements ScpListener {
    final Counters counters = new Counters();
    final List<AssociateRq> requests = new CopyOnWriteArrayList<>();
    final List<ReceivedInstance> instances = new CopyOnWriteArrayList<>();
    final EmbeddedChannel channel;

    EmbeddedScp(ScpConfig config) {
        channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                SimulatedScp.configure(ch.pipeline(), config, counters, EmbeddedScp.this, Optional.empty());
            }
        });
        channel.freezeTime();
    }

    static AssociateRq request(String called, String calling, PresentationContextRq... contexts) {
        return AssociateRq.of(AeTitle.of(called), AeTitle.of(calling), List.of(contexts), UserInformation.dicomlb(16_384));
    }

    static AssociateRq echoRequest() {
        return request("SIMSCP", "MODALITY",
                PresentationContextRq.of(1, Uids.VERIFICATION, Uids.IMPLICIT_VR_LITTLE_ENDIAN));
    }

    /** Writes bytes as the peer would; returns the buffer so tests can check it was released. */
    ByteBuf write(byte[] bytes) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        channel.writeInbound(b);
        return b;
    }

    void send(Pdu pdu) {
        write(PduCodec.encodeToArray(pdu));
    }

    /** Sends a whole command set in one PDV on context 1. */
    void sendCommand(DimseCommand command) {
        send(PDataTf.fragment(1, true, DimseCodec.encode(command), 0).getFirst());
    }

    /** Associates with one context for {@code sopClass} in implicit VR little endian. */
    AssociateAc associateStorage(String sopClass) throws PduDecodeException {
        return associate(request("SIMSCP", "CT01", PresentationContextRq.of(1, sopClass, Uids.IMPLICIT_VR_LITTLE_ENDIAN)));
    }

    AssociateAc associate(AssociateRq rq) throws PduDecodeException {
        send(rq);
        return (AssociateAc) read();
    }

    /** The next PDU the SCP sent, or null. */
    Pdu read() throws PduDecodeException {
        ByteBuf b = channel.readOutbound();
        if (b == null) {
            return null;
        }
        try {
            return PduCodec.decode(ByteBufUtil.getBytes(b));
        } finally {
            b.release();
        }
    }

    /** Asserts the SCP sent exactly {@code expected} and nothing else, and closed the connection. */
    void assertSentOnlyAndClosed(Pdu expected) throws PduDecodeException {
        assertThat(read()).isEqualTo(expected);
        assertThat(read()).isNull();
        assertThat(channel.isOpen()).as("connection closed").isFalse();
        // Nothing escaped the pipeline: no exception, no message left unconsumed.
        channel.checkException();
        assertThat(channel.<Object>readInbound()).isNull();
    }

    @Override
    public void associationRequested(AssociateRq request, SocketAddress peer) {
        requests.add(request);
    }

    @Override
    public void instanceReceived(ReceivedInstance instance) {
        instances.add(instance);
    }
}
