package org.dicomlb.dicom.pdu;

import java.util.List;
import java.util.Objects;
import org.dicomlb.dicom.Uids;

/**
 * One sub-item of the user information item 0x50 (PS3.7 annex D.3.3, PS3.8 annex D). Each
 * record knows its sub-item type; {@link Unknown} holds any other type verbatim, because PS3.7
 * says unknown sub-items are skipped, never refused, and a proxy must pass them on.
 */
public sealed interface UserInfoItem {
    /** The sub-item type octet. */
    default int itemType() {
        return switch (this) {
            case MaxLength _ -> MaxLength.TYPE;
            case ImplementationClassUid _ -> ImplementationClassUid.TYPE;
            case AsyncOpsWindow _ -> AsyncOpsWindow.TYPE;
            case RoleSelection _ -> RoleSelection.TYPE;
            case ImplementationVersionName _ -> ImplementationVersionName.TYPE;
            case SopClassExtendedNegotiation _ -> SopClassExtendedNegotiation.TYPE;
            case SopClassCommonExtendedNegotiation _ -> SopClassCommonExtendedNegotiation.TYPE;
            case UserIdentityRq _ -> UserIdentityRq.TYPE;
            case UserIdentityAc _ -> UserIdentityAc.TYPE;
            case Unknown u -> u.itemType();
        };
    }

    /** 0x51: the largest P-DATA-TF variable field the sender accepts; 0 means no limit. */
    record MaxLength(long value) implements UserInfoItem {
        public static final int TYPE = 0x51;

        public MaxLength {
            if (value < 0 || value > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("max length " + value + " is not an unsigned 32-bit value");
            }
        }

        public boolean unlimited() {
            return value == 0;
        }
    }

    /** 0x52. */
    record ImplementationClassUid(String uid) implements UserInfoItem {
        public static final int TYPE = 0x52;

        public ImplementationClassUid {
            Uids.require(uid, "implementation class UID");
        }
    }

    /** 0x53: outstanding operations; 0 means unlimited. */
    record AsyncOpsWindow(int maxInvoked, int maxPerformed) implements UserInfoItem {
        public static final int TYPE = 0x53;

        public AsyncOpsWindow {
            checkU16(maxInvoked, "max operations invoked");
            checkU16(maxPerformed, "max operations performed");
        }
    }

    /** 0x54: SCP/SCU role selection for one SOP class. */
    record RoleSelection(String sopClassUid, boolean scuRole, boolean scpRole) implements UserInfoItem {
        public static final int TYPE = 0x54;

        public RoleSelection {
            Uids.require(sopClassUid, "role selection SOP class UID");
        }
    }

    /** 0x55: 1..16 characters (PS3.7 D.3.3.2.3). */
    record ImplementationVersionName(String name) implements UserInfoItem {
        public static final int TYPE = 0x55;

        public ImplementationVersionName {
            Objects.requireNonNull(name, "implementation version name");
            if (name.isEmpty() || name.length() > 16) {
                throw new IllegalArgumentException("implementation version name '" + name + "' is not 1..16 characters");
            }
            for (int i = 0; i < name.length(); i++) {
                if (name.charAt(i) > 0xff) {
                    throw new IllegalArgumentException("implementation version name '" + name + "' is not one octet a character");
                }
            }
        }
    }

    /** 0x56: service-class-specific application information for one SOP class. */
    record SopClassExtendedNegotiation(String sopClassUid, Bytes applicationInformation) implements UserInfoItem {
        public static final int TYPE = 0x56;

        public SopClassExtendedNegotiation {
            Uids.require(sopClassUid, "extended negotiation SOP class UID");
            Objects.requireNonNull(applicationInformation, "applicationInformation");
        }
    }

    /** 0x57: the service class and related general SOP classes of one SOP class. */
    record SopClassCommonExtendedNegotiation(String sopClassUid, String serviceClassUid,
            List<String> relatedGeneralSopClassUids) implements UserInfoItem {
        public static final int TYPE = 0x57;

        public SopClassCommonExtendedNegotiation {
            Uids.require(sopClassUid, "common extended negotiation SOP class UID");
            Uids.require(serviceClassUid, "common extended negotiation service class UID");
            relatedGeneralSopClassUids = List.copyOf(relatedGeneralSopClassUids);
            relatedGeneralSopClassUids.forEach(u -> Uids.require(u, "related general SOP class UID"));
        }
    }

    /**
     * 0x58: the requestor's identity. Its fields may hold a password, so {@link #toString()}
     * shows only their lengths.
     *
     * @param identityType 1 username, 2 username and passcode, 3 Kerberos, 4 SAML, 5 JWT
     */
    record UserIdentityRq(int identityType, boolean positiveResponseRequested, Bytes primaryField,
            Bytes secondaryField) implements UserInfoItem {
        public static final int TYPE = 0x58;

        public UserIdentityRq {
            if (identityType < 0 || identityType > 0xff) {
                throw new IllegalArgumentException("user identity type " + identityType + " does not fit one octet");
            }
            Objects.requireNonNull(primaryField, "primaryField");
            Objects.requireNonNull(secondaryField, "secondaryField");
            checkU16(primaryField.length(), "user identity primary field length");
            checkU16(secondaryField.length(), "user identity secondary field length");
        }

        @Override
        public String toString() {
            return "UserIdentityRq[type=" + identityType + ", positiveResponseRequested=" + positiveResponseRequested
                    + ", primaryField=<" + primaryField.length() + " octets>, secondaryField=<"
                    + secondaryField.length() + " octets>]";
        }
    }

    /** 0x59: the acceptor's answer to a user identity request (e.g. a Kerberos ticket). */
    record UserIdentityAc(Bytes serverResponse) implements UserInfoItem {
        public static final int TYPE = 0x59;

        public UserIdentityAc {
            Objects.requireNonNull(serverResponse, "serverResponse");
            checkU16(serverResponse.length(), "user identity server response length");
        }

        @Override
        public String toString() {
            return "UserIdentityAc[serverResponse=<" + serverResponse.length() + " octets>]";
        }
    }

    /** A sub-item type this module does not interpret, kept byte for byte. */
    record Unknown(int itemType, Bytes value) implements UserInfoItem {
        public Unknown {
            if (itemType < 0 || itemType > 0xff) {
                throw new IllegalArgumentException("sub-item type " + itemType + " does not fit one octet");
            }
            if (UserInformation.isKnownType(itemType)) {
                throw new IllegalArgumentException(String.format("sub-item type 0x%02x is a known type", itemType));
            }
            Objects.requireNonNull(value, "value");
        }
    }

    private static void checkU16(int v, String what) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(what + " " + v + " does not fit 16 bits");
        }
    }
}
