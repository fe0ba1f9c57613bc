/**
 * Per-symbol buy/sell point alert preferences: stored with the tracked symbol (`alerts`), validated by the symbols
 * API (PUT /api/v1/symbols/{symbol}) and read by ingestion's signal alerts. zod only (no AWS SDK), so the API
 * and OpenAPI bundles can import it.
 */
import * as z from 'zod';
import { BSP_TYPE_VALUES, SIGNAL_LEVELS } from './signal-message.js';

/**
 * Per-symbol alert preferences (stored with the tracked symbol; the symbols API validates them with this
 * schema). Alerts are opt-in: a symbol without `enabled: true` never alerts.
 */
export const SignalAlertPrefsSchema = z.object({
  enabled: z.boolean().default(false),
  /** Buy/sell point types that alert (a point alerts when any of its types is listed). */
  types: z
    .array(z.enum(BSP_TYPE_VALUES))
    .min(1)
    .default([...BSP_TYPE_VALUES]),
  /** Levels: points on strokes (笔) and/or on segments (线段). */
  levels: z
    .array(z.enum(SIGNAL_LEVELS))
    .min(1)
    .default([...SIGNAL_LEVELS]),
  /** K-line intervals that alert; every tracked interval when absent. */
  intervals: z.array(z.string()).min(1).optional(),
  sides: z
    .array(z.enum(['buy', 'sell']))
    .min(1)
    .default(['buy', 'sell']),
  /** false: alert only once a point is confirmed (no provisional or withdrawn alerts). */
  provisional: z.boolean().default(true),
  /** Webhook names that receive this symbol's alerts; every webhook with `signals: true` when absent. */
  channels: z.array(z.string().min(1)).min(1).optional(),
});
export type SignalAlertPrefs = z.output<typeof SignalAlertPrefsSchema>;
