package org.dicomlb.dicom.pdu;

import java.util.List;
import java.util.Optional;
import org.dicomlb.dicom.Uids;

/**
 * The user information item 0x50: its sub-items in the order they arrived, so that a decoded
 * item encodes to the same bytes (unknown sub-items included). Accessors find the first
 * sub-item of each kind.
 */
public record UserInformation(List<UserInfoItem> items) {
    public UserInformation {
        items = List.copyOf(items);
    }

    /** Max length, implementation class UID and version name: what every PDU of ours carries. */
    public static UserInformation of(long maxLength, String implementationClassUid, String implementationVersionName) {
        return new UserInformation(List.of(
                new UserInfoItem.MaxLength(maxLength),
                new UserInfoItem.ImplementationClassUid(implementationClassUid),
                new UserInfoItem.ImplementationVersionName(implementationVersionName)));
    }

    /** dicomlb's own identity with the given receive limit. */
    public static UserInformation dicomlb(long maxLength) {
        return of(maxLength, Uids.IMPLEMENTATION_CLASS_UID, Uids.IMPLEMENTATION_VERSION_NAME);
    }

    /**
     * The sender's maximum P-DATA-TF length. 0 means unlimited, and also stands for a missing
     * sub-item: PS3.8 makes it mandatory, but refusing a peer over it helps nobody.
     */
    public long maxLength() {
        return first(UserInfoItem.MaxLength.class).map(UserInfoItem.MaxLength::value).orElse(0L);
    }

    public Optional<String> implementationClassUid() {
        return first(UserInfoItem.ImplementationClassUid.class).map(UserInfoItem.ImplementationClassUid::uid);
    }

    public Optional<String> implementationVersionName() {
        return first(UserInfoItem.ImplementationVersionName.class)
                .map(UserInfoItem.ImplementationVersionName::name);
    }

    public Optional<UserInfoItem.AsyncOpsWindow> asyncOpsWindow() {
        return first(UserInfoItem.AsyncOpsWindow.class);
    }

    public List<UserInfoItem.RoleSelection> roleSelections() {
        return all(UserInfoItem.RoleSelection.class);
    }

    public Optional<UserInfoItem.UserIdentityRq> userIdentityRq() {
        return first(UserInfoItem.UserIdentityRq.class);
    }

    public List<UserInfoItem.Unknown> unknownItems() {
        return all(UserInfoItem.Unknown.class);
    }

    public <T extends UserInfoItem> Optional<T> first(Class<T> kind) {
        return items.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    public <T extends UserInfoItem> List<T> all(Class<T> kind) {
        return items.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    static boolean isKnownType(int type) {
        return type >= 0x51 && type <= 0x59;
    }
}
