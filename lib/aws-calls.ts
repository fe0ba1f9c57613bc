/**
 * What each of the stack's functions sends to AWS and to the internet: the manifest the wiring tests evaluate
 * against the synthesized template (test/infra/wiring.test.ts: every call allowed by the function's role and the
 * target's resource policy, every caller with a network path) and check against the code (every SDK command in a
 * function's bundle is either listed here or named as bundled but never sent by that function, with the reason).
 *
 * Keys are construct paths below the stack ("Handlers/KlinesWrite" is the ServiceFunction `KlinesWrite` inside
 * `Handlers`); a call is "<iam action> on <construct path of the target>". Pure data: nothing here reaches a bundle.
 */

export interface FunctionAwsCalls {
  /** "<service>:<Action> on <construct path>", one per action and target. */
  readonly sends: readonly string[];
  /**
   * Actions whose commands are in the bundle (shared store and runtime modules) that this function never sends,
   * with the reason: a read function's role deliberately lacks them.
   */
  readonly bundledOnly?: Readonly<Record<string, string>>;
  /** Public hosts it calls over HTTPS, when it calls any. */
  readonly internet?: string;
}

const TABLE = 'Data/Table';
const on = (target: string, ...actions: string[]) => actions.map((a) => `${a} on ${target}`);
const TABLE_READS = on(TABLE, 'dynamodb:GetItem', 'dynamodb:Query');
const TABLE_WRITES = on(TABLE, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem');

const READ_ONLY =
  'store write paths live in the same modules as the reads; the routes this function serves only read, and its role is read-only';
const readOnly = (...extra: string[]): Record<string, string> => ({
  'dynamodb:PutItem': READ_ONLY,
  'dynamodb:UpdateItem': READ_ONLY,
  'dynamodb:BatchWriteItem': READ_ONLY,
  ...Object.fromEntries(extra.map((a) => [a, 'sent only by the write function of the same handler group'])),
});

const JOB_TASK: FunctionAwsCalls = { sends: [...TABLE_READS, ...TABLE_WRITES] };
const PROVIDERS =
  'market-data providers (the ingestible entries of functions/ingest/providers/index.ts: exchange APIs, user-configured URL sources)';

export const AWS_CALLS: Readonly<Record<string, FunctionAwsCalls>> = {
  'Handlers/Health': {
    sends: [...TABLE_READS, ...on('Cache/Cache', 'elasticache:DescribeServerlessCaches')],
    bundledOnly: readOnly(),
  },
  'Handlers/Openapi': { sends: [] },
  'Handlers/Symbols': { sends: TABLE_READS, bundledOnly: readOnly('sqs:SendMessage') },
  'Handlers/SymbolsWrite': {
    sends: [...TABLE_READS, ...TABLE_WRITES, ...on('Ingestion/Queue', 'sqs:SendMessage')],
  },
  'Handlers/Klines': { sends: TABLE_READS, bundledOnly: readOnly() },
  'Handlers/KlinesWrite': { sends: [...TABLE_READS, ...TABLE_WRITES] },
  'Handlers/Analysis': { sends: TABLE_READS, bundledOnly: readOnly() },
  // POST /api/v1/analysis on its own function (lib/api-handlers.ts ISOLATED_ROUTES): the same bundle and grants.
  'Handlers/AnalysisCompute': { sends: TABLE_READS, bundledOnly: readOnly() },
  'Handlers/Jobs': {
    // GET /jobs/{id} signs its page cursors with SECRET_KEY, read at run time (functions/common/secrets.ts).
    sends: [...TABLE_READS, ...on('Secret/SecretKey', 'secretsmanager:GetSecretValue')],
    bundledOnly: readOnly('states:StartExecution'),
  },
  'Handlers/JobsWrite': {
    sends: [...TABLE_READS, ...TABLE_WRITES, ...on('Jobs/StateMachine', 'states:StartExecution')],
    bundledOnly: {
      'secretsmanager:GetSecretValue': 'only GET /jobs/{id} signs page cursors, and that route is on the read function',
    },
  },
  'Ingestion/Worker': {
    sends: [
      ...TABLE_READS,
      ...TABLE_WRITES,
      ...on('Ingestion/Queue', 'sqs:SendMessage'),
      ...on('Monitoring/SignalTopic', 'sns:Publish'),
      // Provider "tushare": its token, read at run time (functions/common/secrets.ts).
      ...on('Ingestion/TushareToken', 'secretsmanager:GetSecretValue'),
    ],
    internet: PROVIDERS,
  },
  'Ingestion/Dispatcher': {
    sends: [...TABLE_READS, ...TABLE_WRITES, ...on('Ingestion/Queue', 'sqs:SendMessage')],
    bundledOnly: {
      'sns:Publish': 'the shared ingest runtime builds the signal publisher; only the worker finds new buy/sell points',
    },
  },
  'Jobs/PrepareTask': JOB_TASK,
  'Jobs/SymbolTask': JOB_TASK,
  'Jobs/RecordFailureTask': JOB_TASK,
  'Jobs/MultilevelTask': JOB_TASK,
  'Jobs/AggregateTask': JOB_TASK,
  'Jobs/FailTask': JOB_TASK,
  'Monitoring/Notifier': {
    sends: on('Monitoring/Webhooks', 'secretsmanager:GetSecretValue'),
    internet: 'chat webhooks (Slack, Feishu, DingTalk, WeCom)',
  },
};
