/** Where the benches find the real series: ../shared/data beside the checkout when present, else the engine's fixtures. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SHARED = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../shared/chan-analysis/test/fixtures/', import.meta.url));

/** A data set's CSV path (it may not exist: not every series is copied into the fixtures). */
export const dataFile = (name: string): string =>
  existsSync(`${SHARED}${name}.csv`) ? `${SHARED}${name}.csv` : `${FIXTURES}${name}.csv`;
