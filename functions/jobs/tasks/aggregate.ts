/** Step Functions task "Aggregate": combine the stored per-symbol results into the job summary, finish the job. */
import { JobIdTaskSchema } from '../model.js';
import { aggregateJob } from '../runtime.js';

export const handler = async (event: unknown) => aggregateJob(JobIdTaskSchema.parse(event).jobId);
