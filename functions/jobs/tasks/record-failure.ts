/** Step Functions task "RecordFailure" (the Map's Catch): store one symbol's failure so the job goes on. */
import { FailedSymbolTaskSchema } from '../model.js';
import { recordSymbolFailure } from '../runtime.js';

export const handler = async (event: unknown) => recordSymbolFailure(FailedSymbolTaskSchema.parse(event));
