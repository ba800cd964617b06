package org.dicomlb.dicom.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dicomlb.dicom.AeTitle;
import org.dicomlb.dicom.Uids;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link PduCodec#decode(byte[])}: whatever a peer sends as one
 * frame, the codec answers with a PDU or a {@link PduDecodeException} (the A-ABORT reason to
 * send), never another exception; a PDU it accepts re-encodes to bytes that decode to the same
 * PDU; and the codec keeps no state that garbage could spoil.
 *
 * <p>{@code mvn verify} fuzzes it for {@code fuzz.duration} after replaying the seed corpus in
 * {@code src/test/resources/org/dicomlb/dicom/pdu/PduCodecFuzzTestInputs/decode/}; inputs that
 * once failed live there too. See docs/development.md#fuzzing.
 */
class PduCodecFuzzTest {
    /** A frame is at most max-associate-rq (16 MiB) in the appliance; a fuzzer's inputs stay far smaller. */
    private static final int MAX_INPUT = 64 * 1024;
    private static final AssociateRq VALID = AssociateRq.of(AeTitle.of("ARCHIVE"), AeTitle.of("CT01"),
            List.of(new PresentationContextRq(1, Uids.VERIFICATION, List.of(Uids.IMPLICIT_VR_LITTLE_ENDIAN))),
            UserInformation.dicomlb(16384));
    private static final byte[] VALID_WIRE = PduCodec.encodeToArray(VALID);

    // The timeout becomes libFuzzer's per-input budget: an input that takes longer is a finding.
    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void decode(byte[] data) throws PduDecodeException {
        if (data.length > MAX_INPUT) {
            return;
        }
        Pdu pdu;
        try {
            pdu = PduCodec.decode(data);
        } catch (PduDecodeException e) {
            assertThat(e.abortReason()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
            pdu = null;
        }
        if (pdu != null) {
            assertThat(PduCodec.decode(PduCodec.encodeToArray(pdu))).isEqualTo(pdu);
        }
        assertThat(PduCodec.decode(VALID_WIRE)).isEqualTo(VALID);
    }
}
