/** Typed configuration. */
package io.flotilla.config;
