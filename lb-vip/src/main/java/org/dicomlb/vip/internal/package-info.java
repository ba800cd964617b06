/**
 * Implementation detail of {@link org.dicomlb.vip.VipRuntime}: keepalived's generated
 * configuration, the supervised process, the track file and the notify FIFO. Not an API: other
 * modules must not use it; its types are public only for the runtime and tests.
 */
package org.dicomlb.vip.internal;
