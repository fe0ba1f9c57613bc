/**
 * DynamoDB document client with short timeouts: a Lambda answering an API call must not hang for the SDK's
 * default (no) request timeout when the table is unreachable. The endpoint comes from the SDK's own
 * AWS_ENDPOINT_URL_DYNAMODB, which is how the local runtime and tests point unchanged code at dynalite.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { wiringConfig } from '../common/config.js';

export interface DocClientOptions {
  endpoint?: string;
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/**
 * Timeouts: the options', else DYNAMODB_CONNECT_TIMEOUT_MS / DYNAMODB_REQUEST_TIMEOUT_MS (config.ts; the test suite
 * raises them: its in-process dynalite shares two cores with everything else, where a 1 s connect can legitimately
 * take longer), else 1 s / 5 s.
 */
export function createDocClient(opts: DocClientOptions = {}): DynamoDBDocumentClient {
  const wiring = wiringConfig();
  const client = new DynamoDBClient({
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    maxAttempts: opts.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: opts.connectionTimeoutMs ?? wiring.dynamoConnectTimeoutMs ?? 1000,
      requestTimeout: opts.requestTimeoutMs ?? wiring.dynamoRequestTimeoutMs ?? 5000,
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
