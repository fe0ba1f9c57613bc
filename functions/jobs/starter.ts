/**
 * Starting a job's workflow. In AWS: StartExecution on the jobs state machine (JOBS_STATE_MACHINE_ARN, set by
 * lib/jobs.ts on the API function), named after the job id, so a retried request cannot start a second run
 * of the same job (Step Functions refuses a duplicate name). The local runtime and the tests install a starter
 * that runs the same definition in-process (setJobStarter).
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { wiringConfig } from '../common/config.js';
import type { ExecutionInput } from './model.js';

export interface JobStarter {
  /** Returns the execution id (ARN in AWS). */
  start(input: ExecutionInput): Promise<string>;
}

export class StarterNotConfiguredError extends Error {
  override name = 'StarterNotConfiguredError';
}

export class SfnJobStarter implements JobStarter {
  private readonly client = new SFNClient({ maxAttempts: 3 });
  constructor(private readonly stateMachineArn: string) {}

  async start(input: ExecutionInput): Promise<string> {
    const r = await this.client.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name: input.jobId,
        input: JSON.stringify(input),
      }),
    );
    return r.executionArn!;
  }
}

let starter: JobStarter | undefined;

export function getJobStarter(): JobStarter {
  if (starter) return starter;
  const arn = wiringConfig().jobsStateMachineArn;
  if (!arn) throw new StarterNotConfiguredError('JOBS_STATE_MACHINE_ARN is not set: this deployment cannot start jobs');
  starter = new SfnJobStarter(arn);
  return starter;
}

/** Local runtime and tests: run jobs in-process (undefined restores the Step Functions starter). */
export function setJobStarter(s: JobStarter | undefined): void {
  starter = s;
}
