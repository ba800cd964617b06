/**
 * What the engine publishes about its open connections for operators: immutable views made on
 * each connection's event loop ({@link org.dicomlb.engine.live.LiveConnection}), a bounded listing
 * and the outcome of closing one. Imports nothing else of the engine, so the relay and the
 * engine's API can both use it.
 */
package org.dicomlb.engine.live;
