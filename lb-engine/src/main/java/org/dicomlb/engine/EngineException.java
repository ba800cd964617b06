package org.dicomlb.engine;

/** The engine could not start or apply a configuration; the message is meant for the operator. */
public final class EngineException extends Exception {
    public EngineException(String message) {
        super(message);
    }
}
