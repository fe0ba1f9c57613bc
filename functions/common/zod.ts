/**
 * The project's one zod flavour: zod/mini, re-exported. Every schema module imports zod from here, never from
 * 'zod' or 'zod/mini' directly (eslint enforces it), for two reasons:
 *
 * - Bundle size. Classic zod's schema classes carry every method and its JSON Schema processors, ~100 KB in each
 *   Lambda bundle whether used or not; zod/mini's functions tree-shake to what a handler's schemas use.
 * - Messages. Classic zod installs its English error messages on first use; zod/mini loads no locale, so without
 *   this module's `config` every built-in issue ("Invalid input: expected string, received number", "Too small:
 *   expected string to have >=1 characters") would read "Invalid input". Importing it is what guarantees the
 *   4xx messages the API has always given.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
/**
 * The error class of every parse (zod/mini has no ZodError of its own). Imported by name: a value read through
 * the `core` namespace (`z.core.$ZodError`) would make the bundler keep all of zod's core, ~250 KB.
 */
export { $ZodError } from 'zod/v4/core';
