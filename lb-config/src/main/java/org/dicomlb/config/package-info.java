/**
 * Configuration plumbing shared by every module: a YAML tree that remembers where each node
 * came from, value types for durations, socket addresses and CIDR blocks, and {@link
 * org.dicomlb.config.Section} readers that keep going after an error so that one validation run
 * reports every mistake in a file.
 *
 * <p>This package owns no configuration schema. Each module reads its own section into its own
 * records; the root record lives in the composition root ({@code lb-admin-cli}).
 */
package org.dicomlb.config;
