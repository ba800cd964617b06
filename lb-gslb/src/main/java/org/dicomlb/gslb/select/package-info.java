/**
 * Which members a name answers: the methods over immutable member states, and the client subnet
 * to datacenter table with the RFC 7871 scope. Pure functions; no I/O, no clock.
 */
package org.dicomlb.gslb.select;
