/**
 * Test support for every dicomlb module, used at test scope only (the harness's benchmark peers
 * use it too). It must not depend on any dicomlb module, so each module can use it.
 */
package org.dicomlb.testkit;
