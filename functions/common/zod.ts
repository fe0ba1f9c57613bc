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
import * as z from 'zod/mini';

z.config(z.locales.en());

export * from 'zod/mini';
