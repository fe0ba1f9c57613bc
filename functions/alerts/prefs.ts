/**
 * Per-symbol buy/sell point alert preferences: stored with the tracked symbol (`alerts`), validated by the symbols
 * API (PUT /api/v1/symbols/{symbol}) and read by ingestion's signal alerts. zod only (no AWS SDK), so the API
 * and OpenAPI bundles can import it.
 */
import * as z from '../common/zod.js';
import { BSP_TYPE_VALUES, SIGNAL_LEVELS } from './signal-message.js';

/**
 * Per-symbol alert preferences (stored with the tracked symbol; the symbols API validates them with this
 * schema). Alerts are opt-in: a symbol without `enabled: true` never alerts.
 */
export const SignalAlertPrefsSchema = z.object({
  enabled: z._default(z.boolean(), false),
  /** Buy/sell point types that alert (a point alerts when any of its types is listed). */
  types: z._default(z.array(z.enum(BSP_TYPE_VALUES)).check(z.minLength(1)), [...BSP_TYPE_VALUES]),
  /** Levels: points on strokes (笔) and/or on segments (线段). */
  levels: z._default(z.array(z.enum(SIGNAL_LEVELS)).check(z.minLength(1)), [...SIGNAL_LEVELS]),
  /** K-line intervals that alert; every tracked interval when absent. */
  intervals: z.optional(z.array(z.string()).check(z.minLength(1))),
  sides: z._default(z.array(z.enum(['buy', 'sell'])).check(z.minLength(1)), ['buy', 'sell']),
  /** false: alert only once a point is confirmed (no provisional or withdrawn alerts). */
  provisional: z._default(z.boolean(), true),
  /** Webhook names that receive this symbol's alerts; every webhook with `signals: true` when absent. */
  channels: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
});
export type SignalAlertPrefs = z.output<typeof SignalAlertPrefsSchema>;
