/** Step Functions task "MarkFailed" (job-level Catch): record why the job failed. */
import { FailJobTaskSchema } from '../model.js';
import { failJob } from '../runtime.js';

export const handler = async (event: unknown) => failJob(FailJobTaskSchema.parse(event));
