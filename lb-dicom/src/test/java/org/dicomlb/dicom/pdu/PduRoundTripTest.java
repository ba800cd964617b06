package org.dicomlb.dicom.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dicomlb.dicom.Hex;
import org.dicomlb.dicom.WireAeTitle;
import org.junit.jupiter.api.Test;

/**
 * decode(encode(p)) == p and encode(decode(bytes)) == bytes for thousands of random valid PDUs.
 * The seed is fixed so a failure reproduces; the case number is in the message.
 */
class PduRoundTripTest {
    private static final long SEED = 0x5EED_D1C0L;
    private static final int CASES = 3000;

    @Test
    void randomValidPdusSurviveEncodeAndDecode() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            Pdu pdu = randomPdu(random);
            byte[] wire = PduCodec.encodeToArray(pdu);
            Pdu back = PduCodec.decode(wire);
            String context = "case " + i + ": " + Hex.format(wire);
            assertThat(back).as(context).isEqualTo(pdu);
            assertThat(PduCodec.encodeToArray(back)).as(context).isEqualTo(wire);
            assertThat(wire.length - PduCodec.HEADER_LENGTH).as(context)
                    .isEqualTo((int) (((wire[2] & 0xffL) << 24) | ((wire[3] & 0xff) << 16) | ((wire[4] & 0xff) << 8)
                            | (wire[5] & 0xff)));
        }
    }

    static Pdu randomPdu(Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> new AssociateRq(r.nextInt(0x10000), wireAe(r), wireAe(r), uid(r), contextsRq(r), userInfo(r));
            case 1 -> new AssociateAc(r.nextInt(0x10000), wireAe(r), wireAe(r), uid(r), contextsAc(r), userInfo(r));
            case 2 -> new AssociateRj(pick(r, RejectResult.values()), pick(r, RejectSource.values()), r.nextInt(256));
            case 3 -> pData(r);
            case 4 -> ReleaseRq.INSTANCE;
            case 5 -> ReleaseRp.INSTANCE;
            default -> {
                AbortSource source = pick(r, AbortSource.values());
                yield new Abort(source, source == AbortSource.SERVICE_PROVIDER ? pick(r, AbortReason.values())
                        : AbortReason.NOT_SPECIFIED);
            }
        };
    }

    private static PDataTf pData(Random r) {
        List<Pdv> pdvs = new ArrayList<>();
        for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
            pdvs.add(new Pdv(oddId(r), r.nextBoolean(), r.nextBoolean(), bytes(r, r.nextInt(300))));
        }
        return new PDataTf(pdvs);
    }

    private static List<PresentationContextRq> contextsRq(Random r) {
        List<PresentationContextRq> out = new ArrayList<>();
        for (int id : distinctIds(r)) {
            List<String> ts = new ArrayList<>();
            for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                ts.add(uid(r));
            }
            out.add(new PresentationContextRq(id, uid(r), ts));
        }
        return out;
    }

    private static List<PresentationContextAc> contextsAc(Random r) {
        List<PresentationContextAc> out = new ArrayList<>();
        for (int id : distinctIds(r)) {
            PresentationContextResult result = pick(r, PresentationContextResult.values());
            String ts = result != PresentationContextResult.ACCEPTANCE && r.nextInt(4) == 0 ? "" : uid(r);
            out.add(new PresentationContextAc(id, result, ts));
        }
        return out;
    }

    private static List<Integer> distinctIds(Random r) {
        List<Integer> ids = new ArrayList<>();
        int id = 1 + 2 * r.nextInt(4);
        for (int i = 0, n = 1 + r.nextInt(6); i < n && id <= 255; i++) {
            ids.add(id);
            id += 2 * (1 + r.nextInt(5));
        }
        return ids;
    }

    private static UserInformation userInfo(Random r) {
        List<UserInfoItem> items = new ArrayList<>();
        for (int i = 0, n = r.nextInt(8); i < n; i++) {
            items.add(switch (r.nextInt(10)) {
                case 0 -> new UserInfoItem.MaxLength(r.nextLong(0x1_0000_0000L));
                case 1 -> new UserInfoItem.ImplementationClassUid(uid(r));
                case 2 -> new UserInfoItem.AsyncOpsWindow(r.nextInt(0x10000), r.nextInt(0x10000));
                case 3 -> new UserInfoItem.RoleSelection(uid(r), r.nextBoolean(), r.nextBoolean());
                case 4 -> new UserInfoItem.ImplementationVersionName(latin1(r, 1 + r.nextInt(16)));
                case 5 -> new UserInfoItem.SopClassExtendedNegotiation(uid(r), bytes(r, r.nextInt(20)));
                case 6 -> new UserInfoItem.SopClassCommonExtendedNegotiation(uid(r), uid(r),
                        r.nextBoolean() ? List.of() : List.of(uid(r), uid(r)));
                case 7 -> new UserInfoItem.UserIdentityRq(1 + r.nextInt(5), r.nextBoolean(), bytes(r, r.nextInt(40)),
                        bytes(r, r.nextInt(10)));
                case 8 -> new UserInfoItem.UserIdentityAc(bytes(r, r.nextInt(40)));
                default -> {
                    int type;
                    do {
                        type = r.nextInt(256);
                    } while (type >= 0x51 && type <= 0x59);
                    yield new UserInfoItem.Unknown(type, bytes(r, r.nextInt(30)));
                }
            });
        }
        return new UserInformation(items);
    }

    /** Digits and dots, 1..64 characters, never starting with a dot. */
    static String uid(Random r) {
        int n = 1 + r.nextInt(64);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 && r.nextInt(5) == 0 ? '.' : (char) ('0' + r.nextInt(10)));
        }
        return sb.toString();
    }

    /** Any 16 octets: what a peer may put in an AE field, valid or not. */
    private static WireAeTitle wireAe(Random r) {
        return WireAeTitle.fromWire(bytes(r, 16).array());
    }

    private static String latin1(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) r.nextInt(256));
        }
        return sb.toString();
    }

    private static Bytes bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return new Bytes(b);
    }

    private static int oddId(Random r) {
        return 1 + 2 * r.nextInt(128);
    }

    private static <T> T pick(Random r, T[] values) {
        return values[r.nextInt(values.length)];
    }
}
