/** The {@code http} check: HTTP/1.1 over Netty's codec, optional TLS, bounded body search. */
package org.dicomlb.healthcheck.http;
