/**
 * Typed configuration, validated once at startup with errors that name the key.
 *
 * <p>The contract:
 *
 * <ul>
 *   <li>A {@link io.flotilla.config.Setting} is declared once, as a constant of the module that
 *       reads it: dotted name, {@link io.flotilla.config.SettingType type}, default,
 *       {@link io.flotilla.config.Constraint rule} and a one-line doc. Modules contribute their
 *       settings to one {@link io.flotilla.config.SettingsRegistry}, which can print a
 *       documented listing of all of them.
 *   <li>{@link io.flotilla.config.Config#loader} reads a {@code key = value} file, then
 *       {@code FLOTILLA_*} environment variables, then command-line {@code --set key=value};
 *       later sources win. The environment is passed in as a map, never read behind the
 *       caller's back.
 *   <li>Every value is parsed and checked at load. Anything wrong (unknown key, with a
 *       "did you mean" suggestion; bad value; missing file) becomes one
 *       {@link io.flotilla.config.ConfigException} listing every problem, each naming the key,
 *       the source (file:line, environment variable, or command line), the value and what was
 *       expected. There is no partial config and no fallback to defaults on error.
 *   <li>A loaded {@link io.flotilla.config.Config} is immutable and so are its values; reading
 *       it needs no checks and no locks. Reading a setting that was never registered is a
 *       wiring bug and throws {@link java.lang.IllegalArgumentException}.
 *   <li>Units are part of the text: a duration always carries one ({@code 250ms}, {@code 5s},
 *       {@code 5m}), and a byte size is plain bytes unless a binary unit follows
 *       ({@code 512KiB}, {@code 64MiB}); decimal units such as {@code MB} are refused.
 * </ul>
 *
 * <p>This package depends on nothing but the JDK, because every other module depends on it.
 */
package io.flotilla.config;
