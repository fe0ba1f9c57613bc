/** Step Functions task "Prepare": resolve the job's symbols, mark it RUNNING, choose inline or distributed Map. */
import { ExecutionInputSchema } from '../model.js';
import { prepareJob } from '../runtime.js';

export const handler = async (event: unknown) => prepareJob(ExecutionInputSchema.parse(event));
