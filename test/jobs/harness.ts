/**
 * The jobs state machine run locally, exactly as synthesized: the implementation lives in local/ (npm start runs
 * jobs the same way); this module gathers it for the state-machine tests, the API test and the bench.
 */
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
