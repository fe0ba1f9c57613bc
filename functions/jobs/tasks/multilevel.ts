/** Step Functions task "MultiLevel": analyse one symbol at 2–3 intervals together and store the links. */
import * as z from '../../common/zod.js';
import { MultiLevelRequestSchema } from '../model.js';
import { runMultiLevel } from '../runtime.js';

const Input = z.object({ jobId: z.string().check(z.minLength(1)), params: MultiLevelRequestSchema });

export const handler = async (event: unknown) => runMultiLevel(Input.parse(event));
