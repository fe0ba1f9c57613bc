/**
 * The message a buy/sell point alert carries on the signal SNS topic: written by signal-alerts.ts, read by the
 * notifier (and by anyone else who subscribes, e.g. an e-mail or SQS subscriber). Versioned so that a subscriber
 * can refuse a shape it does not know instead of rendering garbage.
 */
import * as z from '../common/zod.js';

export const SIGNAL_MESSAGE_KIND = 'chan.signal';

/** Which line the point sits on: a stroke (笔) or a segment (线段). "Level" in the per-symbol preferences. */
export const SIGNAL_LEVELS = ['stroke', 'segment'] as const;
export type SignalLevel = (typeof SIGNAL_LEVELS)[number];

/** provisional: the line is not confirmed and the point can still vanish; withdrawn: it did vanish. */
export const SIGNAL_STAGES = ['provisional', 'confirmed', 'withdrawn'] as const;
export type SignalStage = (typeof SIGNAL_STAGES)[number];

export const BSP_TYPE_VALUES = ['1', '1p', '2', '2s', '3a', '3b'] as const;

export const SignalMessageSchema = z.object({
  kind: z.literal(SIGNAL_MESSAGE_KIND),
  version: z.literal(1),
  symbol: z.string(),
  interval: z.string(),
  level: z.enum(SIGNAL_LEVELS),
  stage: z.enum(SIGNAL_STAGES),
  side: z.enum(['buy', 'sell']),
  types: z.array(z.enum(BSP_TYPE_VALUES)),
  /** The engine's signal id (stable across streaming updates). */
  signalId: z.string(),
  time: z.string(),
  ts: z.number(),
  price: z.number(),
  chartUrl: z.optional(z.url()),
  /** Webhook names to deliver to (per-symbol preference); every signal webhook when absent. */
  channels: z.optional(z.array(z.string())),
  /** When the alert was decided (ISO). */
  detectedAt: z.string(),
});

export type SignalMessage = z.output<typeof SignalMessageSchema>;
