/**
 * DynamoDB document client with short timeouts: a Lambda answering an API call must not hang for the SDK's
 * default (no) request timeout when the table is unreachable. The endpoint comes from the SDK's own
 * AWS_ENDPOINT_URL_DYNAMODB, which is how the local runtime and tests point unchanged code at dynalite.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DocClientOptions {
  endpoint?: string;
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** Env overrides: DYNAMODB_CONNECT_TIMEOUT_MS / DYNAMODB_REQUEST_TIMEOUT_MS (the test suite raises them: its
 * in-process dynalite shares two cores with everything else, where a 1 s connect can legitimately take longer). */
function envMs(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

export function createDocClient(opts: DocClientOptions = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    maxAttempts: opts.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: opts.connectionTimeoutMs ?? envMs('DYNAMODB_CONNECT_TIMEOUT_MS') ?? 1000,
      requestTimeout: opts.requestTimeoutMs ?? envMs('DYNAMODB_REQUEST_TIMEOUT_MS') ?? 5000,
      // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting: a store that accepts
      // the connection and never answers would hold the request until the Lambda's own timeout. With it the call
      // fails with TimeoutError (retried, then a 503 with Retry-After: functions/common/dependency-errors.ts).
      throwOnRequestTimeout: true,
    },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}
