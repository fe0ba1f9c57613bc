/**
 * The jobs state machine run locally, exactly as synthesized: the implementation lives in local/ (npm start runs
 * jobs the same way); this module gathers it for the state-machine tests, the API test and the bench.
 */
import { synthJobsStack } from '../../local/jobs-synth.js';
import { localJobStarter, stateMachineDefinition, templateHandlers } from '../../local/state-machine.js';
import { startService } from '../support/service.js';
import { startJobsEnv } from './fixtures.js';

export { synthJobsStack, testFunctionDefaults, type JobsStack } from '../../local/jobs-synth.js';
export {
  FAKE_ACCOUNT,
  FAKE_REGION,
  localJobStarter,
  resolveIntrinsics,
  runExecution,
  stateMachineDefinition,
  taskStates,
  templateHandlers,
  type Json,
  type RunReport,
  type TaskHandler,
} from '../../local/state-machine.js';

/**
 * The jobs API as `npm start` runs it: a fresh table seeded by `seed`, the handlers behind the local adapter, and
 * the state machine from the synthesized template run in-process as the job starter.
 */
export async function startJobsService(seed: () => Promise<void>) {
  const table = await startJobsEnv();
  await seed();
  const svc = await startService({ table });
  const synth = synthJobsStack();
  const def = stateMachineDefinition(synth.template);
  const local = localJobStarter({ def, handlers: await templateHandlers(synth.template, def) });
  const { setJobStarter } = await import('../../functions/jobs/starter.js');
  setJobStarter(local.starter);
  return {
    table,
    svc,
    local,
    stop: async () => {
      await svc.stop();
      await table.close();
    },
  };
}
