package org.dicomlb.dicom;

import java.util.Optional;

/** An enum constant that stands for a numeric code on the wire. */
public interface Coded {
    int code();

    /** The constant of {@code type} with {@code code}, if any. */
    static <E extends Enum<E> & Coded> Optional<E> byCode(Class<E> type, int code) {
        for (E e : type.getEnumConstants()) {
            if (e.code() == code) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
