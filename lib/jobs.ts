/**
 * Jobs: the Step Functions workflow behind POST /api/v1/jobs (scan, multilevel, backtest), its task Lambdas,
 * and the wiring of the API's write function (start permission + JOBS_STATE_MACHINE_ARN).
 *
 *   Prepare ─► Route ─┬─ kind = multilevel ─► MultiLevel ─────────────────────────┐
 *                     ├─ large (> 500 symbols) ─► ForEachSymbolDistributed ─┐       ├─► Aggregate ─► Done
 *                     └─ otherwise ─► ForEachSymbol (inline) ───────────────┴───────┘
 *   any job-level error (after retries) ─► MarkFailed ─► JobFailed
 *   inside each Map: AnalyzeSymbol, Catch ─► RecordFailure (that symbol failed; the job goes on)
 *
 * Why this shape
 * - One STANDARD machine with a Choice: one set of alarms, logs and grants for all kinds; Standard because a
 *   job can run longer than Express's 5 minutes and the parent must run exactly once.
 * - Two Maps. Inline for small universes (no child executions to pay for or wait on; concurrency 40, the
 *   inline Map's practical limit); DISTRIBUTED beyond 500 symbols, because an inline Map's iterations count
 *   against the parent's 25,000-event history (about 7 events per symbol). Its children are EXPRESS workflows
 *   (one short Lambda call each: cheaper than Standard transitions). Both run the same task code.
 * - Results never flow back through the state: each task writes its symbol's item to DynamoDB and returns {},
 *   so 5,000 outputs cannot hit the 256 KB payload limit; the Aggregate step reads the items.
 * - Retry with exponential backoff and full jitter on throttling (Lambda's TooManyRequests, DynamoDB's
 *   ProvisionedThroughputExceeded/Throttling surfacing from a task) and on Lambda service errors; a Catch per
 *   symbol so one bad symbol becomes a failed row, not a failed job.
 * - JSONPath states only (no JSONata): the tests run this exact definition in a local ASL interpreter, which
 *   passes JSONata states through untouched.
 */
import { Duration, Names, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INLINE_MAP_MAX_ITEMS } from '../functions/jobs/model.js';
import type { ApiHandlers } from './api-handlers.js';
import { ServiceFunction, type FunctionDefaults } from './service-function.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The task Lambdas: state name(s) → entry. Tests map the synthesized definition's states back to these entries
 * through the function description, so the local run exercises what this construct deploys.
 */
export const JOB_TASKS = {
  prepare: {
    entry: 'functions/jobs/tasks/prepare.ts',
    memorySize: 512,
    timeout: Duration.seconds(30),
    usesCache: false,
  },
  // 1,769 MB is one full vCPU: the engine is single-threaded and CPU-bound, more memory would buy nothing. The
  // two analysing tasks read bars through the cached series service, the others only the table.
  symbol: { entry: 'functions/jobs/tasks/symbol.ts', memorySize: 1769, timeout: Duration.minutes(2), usesCache: true },
  recordFailure: {
    entry: 'functions/jobs/tasks/record-failure.ts',
    memorySize: 256,
    timeout: Duration.seconds(30),
    usesCache: false,
  },
  multilevel: {
    entry: 'functions/jobs/tasks/multilevel.ts',
    memorySize: 1769,
    timeout: Duration.minutes(5),
    usesCache: true,
  },
  aggregate: {
    entry: 'functions/jobs/tasks/aggregate.ts',
    memorySize: 1024,
    timeout: Duration.minutes(5),
    usesCache: false,
  },
  fail: { entry: 'functions/jobs/tasks/fail.ts', memorySize: 256, timeout: Duration.seconds(30), usesCache: false },
} as const;
export type JobTaskName = keyof typeof JOB_TASKS;

export const STATES = {
  prepare: 'Prepare',
  route: 'Route',
  multilevel: 'MultiLevel',
  map: 'ForEachSymbol',
  symbol: 'AnalyzeSymbol',
  recordFailure: 'RecordFailure',
  mapDistributed: 'ForEachSymbolDistributed',
  symbolDistributed: 'AnalyzeSymbolDistributed',
  recordFailureDistributed: 'RecordFailureDistributed',
  aggregate: 'Aggregate',
  markFailed: 'MarkFailed',
  failed: 'JobFailed',
  done: 'Done',
} as const;

/** Which task Lambda each Task state invokes. */
export const STATE_TASK: Record<string, JobTaskName> = {
  [STATES.prepare]: 'prepare',
  [STATES.multilevel]: 'multilevel',
  [STATES.symbol]: 'symbol',
  [STATES.symbolDistributed]: 'symbol',
  [STATES.recordFailure]: 'recordFailure',
  [STATES.recordFailureDistributed]: 'recordFailure',
  [STATES.aggregate]: 'aggregate',
  [STATES.markFailed]: 'fail',
};

/** Errors retried with backoff: throttling anywhere, and Lambda's own transient faults. */
export const THROTTLING_ERRORS = [
  'Lambda.TooManyRequestsException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
];
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
];

export interface JobsProps {
  readonly data: { readonly table: dynamodb.ITable };
  readonly functionDefaults: FunctionDefaults;
  /** The API functions: the jobs write function gets start permission and the state machine ARN. */
  readonly handlers?: ApiHandlers;
  /** Inline Map concurrency (default 40). */
  readonly inlineConcurrency?: number;
  /**
   * Distributed Map concurrency (default 100): bounds Lambda concurrency taken from the account's pool and the
   * write rate on the job's partition.
   */
  readonly distributedConcurrency?: number;
}

export class Jobs extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly functions: Record<JobTaskName, ServiceFunction>;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const d = props.functionDefaults;
    this.functions = this.taskFunctions(props);
    const definition = this.definition(props);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's CloudWatch Logs resource policy
      // (a 5,120-character limit shared by every log group a service delivers to).
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200 })}`,
      retention: d.logRetention,
      removalPolicy: d.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.hours(2),
      tracingEnabled: d.tracing,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: `Chan analysis jobs: scan, multilevel, backtest (inline Map up to ${INLINE_MAP_MAX_ITEMS} symbols, distributed beyond)`,
    });

    const api = props.handlers?.functionFor('jobs', 'write');
    if (api) {
      this.stateMachine.grantStartExecution(api.function);
      api.function.addEnvironment('JOBS_STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    }

    this.acknowledgeFindings(d.tracing);
  }

  /** One function per job task (functions/jobs/tasks), each with read/write access to the table. */
  private taskFunctions(props: JobsProps): Record<JobTaskName, ServiceFunction> {
    return Object.fromEntries(
      (Object.entries(JOB_TASKS) as [JobTaskName, (typeof JOB_TASKS)[JobTaskName]][]).map(([name, t]) => {
        const fn = new ServiceFunction(this, `${name[0]!.toUpperCase()}${name.slice(1)}Task`, {
          defaults: props.functionDefaults,
          entry: join(ROOT, t.entry),
          // The entry in the description lets the tests find the handler a state invokes in the template.
          description: `Chan analysis job task ${name} (${t.entry})`,
          memorySize: t.memorySize,
          timeout: t.timeout,
          usesCache: t.usesCache,
        });
        props.data.table.grantReadWriteData(fn);
        return [name, fn];
      }),
    ) as Record<JobTaskName, ServiceFunction>;
  }

  /** A state invoking a task function, retried on throttling and on Lambda's service errors (with jitter). */
  private invokeTask(stateName: string, task: JobTaskName, payload?: sfn.TaskInput, resultPath?: string) {
    const t = new tasks.LambdaInvoke(this, stateName, {
      stateName,
      lambdaFunction: this.functions[task].function,
      // The function's return value is the state's result; the Resource is the function ARN itself.
      payloadResponseOnly: true,
      payload,
      resultPath,
      // Our own retriers below cover Lambda's service errors as well, with jitter.
      retryOnServiceExceptions: false,
    });
    t.addRetry({
      errors: THROTTLING_ERRORS,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(60),
      jitterStrategy: sfn.JitterType.FULL,
    });
    t.addRetry({
      errors: LAMBDA_SERVICE_ERRORS,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: sfn.JitterType.FULL,
    });
    return t;
  }

  /**
   * The job's states: prepare, then by kind and size the multilevel task, an inline Map or a distributed Map over
   * the symbols (a failed symbol is recorded, not fatal), then aggregate; any other failure marks the job failed.
   */
  private definition(props: JobsProps): sfn.IChainable {
    const jobFailed = new sfn.Fail(this, STATES.failed, {
      stateName: STATES.failed,
      error: 'JobFailed',
      cause: 'The job failed; GET /api/v1/jobs/{id} has the reason',
    });
    const markFailed = this.invokeTask(
      STATES.markFailed,
      'fail',
      sfn.TaskInput.fromObject({ jobId: sfn.JsonPath.stringAt('$.jobId'), error: sfn.JsonPath.objectAt('$.error') }),
      sfn.JsonPath.DISCARD,
    ).next(jobFailed);
    const catchToFailed = { errors: [sfn.Errors.ALL], resultPath: '$.error' };

    const aggregate = this.invokeTask(
      STATES.aggregate,
      'aggregate',
      sfn.TaskInput.fromObject({ jobId: sfn.JsonPath.stringAt('$.jobId') }),
      sfn.JsonPath.DISCARD,
    );
    aggregate.addCatch(markFailed, catchToFailed);
    aggregate.next(new sfn.Succeed(this, STATES.done, { stateName: STATES.done }));

    const multilevel = this.invokeTask(
      STATES.multilevel,
      'multilevel',
      sfn.TaskInput.fromObject({ jobId: sfn.JsonPath.stringAt('$.jobId'), params: sfn.JsonPath.objectAt('$.params') }),
      sfn.JsonPath.DISCARD,
    );
    multilevel.addCatch(markFailed, catchToFailed);
    multilevel.next(aggregate);

    // Per-symbol work: the symbol task, and on any error (after its retries) a recorded failure.
    const perSymbol = (symbolState: string, failureState: string) => {
      const analyse = this.invokeTask(symbolState, 'symbol');
      const record = this.invokeTask(failureState, 'recordFailure', undefined, undefined);
      analyse.addCatch(record, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
      return analyse;
    };
    const itemSelector = {
      jobId: sfn.JsonPath.stringAt('$.jobId'),
      symbol: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
      params: sfn.JsonPath.objectAt('$.params'),
    };

    const inline = sfn.Map.jsonPath(this, STATES.map, {
      stateName: STATES.map,
      itemsPath: '$.symbols',
      itemSelector,
      maxConcurrency: props.inlineConcurrency ?? 40,
      resultPath: sfn.JsonPath.DISCARD,
    });
    inline.itemProcessor(perSymbol(STATES.symbol, STATES.recordFailure));
    inline.addCatch(markFailed, catchToFailed);
    inline.next(aggregate);

    const distributed = new sfn.DistributedMap(this, STATES.mapDistributed, {
      stateName: STATES.mapDistributed,
      itemsPath: '$.symbols',
      itemSelector,
      maxConcurrency: props.distributedConcurrency ?? 100,
      mapExecutionType: sfn.StateMachineType.EXPRESS,
      resultPath: sfn.JsonPath.DISCARD,
      label: 'JobSymbols',
    });
    distributed.itemProcessor(perSymbol(STATES.symbolDistributed, STATES.recordFailureDistributed));
    distributed.addCatch(markFailed, catchToFailed);
    distributed.next(aggregate);

    const route = new sfn.Choice(this, STATES.route, { stateName: STATES.route })
      .when(sfn.Condition.stringEquals('$.kind', 'multilevel'), multilevel)
      .when(sfn.Condition.booleanEquals('$.large', true), distributed)
      .otherwise(inline);

    const prepare = this.invokeTask(STATES.prepare, 'prepare');
    prepare.addCatch(markFailed, catchToFailed);

    return prepare.next(route);
  }

  /** cdk-nag findings this construct accepts: X-Ray when tracing is off, and the wildcards Step Functions needs. */
  private acknowledgeFindings(tracing: boolean): void {
    if (!tracing) {
      Validations.of(this.stateMachine).acknowledge({
        id: 'AwsSolutions-SF2',
        reason:
          'X-Ray follows the stack-wide tracing switch (off in this stage); execution history and logs cover jobs.',
      });
    }
    // cdk-nag names each wildcard finding by its resource; acknowledge exactly those Step Functions generates.
    const stack = Stack.of(this);
    const idOf = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnElement);
    const smId = idOf(this.stateMachine);
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${smId}"}]}]}`;
    const wildcards: Array<[string, string]> = [
      ...Object.values(this.functions).map((f): [string, string] => [
        `Resource::<${idOf(f.function)}.Arn>:*`,
        'lambda:InvokeFunction on the task function and its versions/aliases (CDK grant for a Lambda task).',
      ]),
      [
        'Resource::*',
        'CloudWatch Logs delivery for the state machine (logs:CreateLogDelivery and friends) has no resource-level permissions.',
      ],
      [
        `Resource::${executions}:*`,
        'The distributed Map describes and stops the child executions of this state machine only.',
      ],
      [
        `Resource::${executions}/JobSymbols:*`,
        'The distributed Map (label JobSymbols) manages its own map run executions only.',
      ],
    ];
    for (const [finding, reason] of wildcards)
      Validations.of(this.stateMachine).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}
