/**
 * Real peers for end-to-end tests: locating the Debian-packaged tools (DCMTK, Orthanc),
 * starting and always stopping their processes, picking free loopback ports, running one-shot
 * command-line tools with a time bound. A missing tool is a test failure that names
 * {@code scripts/install-test-deps.sh}, never a skip.
 */
package org.dicomlb.harness.peers;
