package org.dicomlb.engine.http;

import org.dicomlb.engine.access.AccessLog;

/** What every http connection of one engine shares; each part is thread-safe. */
record HttpShared(HttpMetrics metrics, AccessLog accessLog, CookieValues cookies, SourceChoices sources) {
}
