/**
 * The indicators the engine puts on every result bar, as the API and the chart page know them. On this side an
 * indicator is added here, once: its fields and the kind of value each holds (format=columns encodes them, the page
 * checks them, the OpenAPI text names them) and its name, which is the chart page's layer label; the compiler then
 * asks for its pane in web/src/chart.ts (INDICATOR_PANES). The engine computes the values
 * (shared/chan-analysis/src/indicators/) and lists them on ResultBar (shared/chan-analysis/src/result.ts).
 *
 * No runtime imports: the chart page bundles this module.
 */
import type { ResultBar } from 'chan-analysis';
import type { ValueKind } from './columns.js';

export const INDICATORS = {
  macd: { name: 'MACD', fields: { dif: 'number', dea: 'number', macd: 'number' } },
} as const satisfies Record<string, { name: string; fields: Partial<Record<keyof ResultBar, ValueKind>> }>;

export type Indicator = keyof typeof INDICATORS;
export const INDICATOR_KEYS = Object.keys(INDICATORS) as Indicator[];

type Merged<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Every indicator's fields in one object, in registry order (each field belongs to one indicator). */
export const INDICATOR_FIELDS = Object.assign({}, ...INDICATOR_KEYS.map((k) => INDICATORS[k].fields)) as Merged<
  (typeof INDICATORS)[Indicator]['fields']
>;

/** "MACD dif/dea/macd": the indicators and their fields as the API's descriptions name them. */
export const INDICATOR_SUMMARY = INDICATOR_KEYS.map(
  (k) => `${INDICATORS[k].name} ${Object.keys(INDICATORS[k].fields).join('/')}`,
).join(', ');

/** "MACD": the indicators by name. */
export const INDICATOR_NAMES = INDICATOR_KEYS.map((k) => INDICATORS[k].name).join(', ');
