/**
 * Dispatcher Lambda: EventBridge schedule (one rule per interval family; the rule's input is the scheduled
 * event with `detail.family`) → due series → SQS.
 */
import type { ScheduledEvent } from 'aws-lambda';
import * as z from '../common/zod.js';
import { getLogger } from '../common/observability.js';
import { dispatch } from './dispatcher.js';
import { INTERVAL_FAMILIES, isIntervalFamily } from './intervals.js';
import { buildDispatcherDeps } from './runtime.js';

const EventSchema = z.object({
  'detail-type': z.literal('Scheduled Event'),
  time: z.string(),
  detail: z.object({ family: z.enum(Object.keys(INTERVAL_FAMILIES) as [keyof typeof INTERVAL_FAMILIES]) }),
});

export const handler = async (event: ScheduledEvent<{ family?: string }>) => {
  const e = EventSchema.parse(event);
  if (!isIntervalFamily(e.detail.family)) throw new Error(`unknown interval family ${e.detail.family}`);
  const result = await dispatch(e.detail.family, buildDispatcherDeps());
  getLogger().info('dispatched', { family: e.detail.family, scheduledAt: e.time, ...result });
  return result;
};
