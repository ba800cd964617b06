package org.dicomlb.healthcheck.config;

/** The kinds of active check, written in the config as {@code tcp}, {@code http}, {@code dicom-echo}. */
public enum CheckType {
    TCP,
    HTTP,
    DICOM_ECHO
}
