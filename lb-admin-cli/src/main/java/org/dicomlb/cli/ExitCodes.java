package org.dicomlb.cli;

/** Exit codes of every dicomlb command. */
public final class ExitCodes {
    /** Done as asked. */
    public static final int OK = 0;
    /** Could not do it (peer down, bind failed, echo failed ...). */
    public static final int FAILURE = 1;
    /** The input was wrong (config errors, bad arguments, rejected reload). */
    public static final int BAD_INPUT = 2;

    private ExitCodes() {
    }
}
