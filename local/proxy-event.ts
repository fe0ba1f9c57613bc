/**
 * The API Gateway REST (v1) proxy event for one request: what the local adapter hands a handler, and what the
 * tests that call handlers directly build. Names in headers and the query string are the caller's, so they go into
 * prototype-less records: "constructor" or "__proto__" are keys like any other, as in the gateway's JSON event,
 * never Object.prototype members.
 */
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

export interface ProxyRequest {
  method: string;
  /** The matched resource, with {param} placeholders. */
  resource: string;
  /** The request path (decoded path parameters are given separately). */
  path: string;
  pathParameters: readonly [string, string][];
  /** Header name/value pairs in arrival order (duplicates allowed). */
  headers: readonly [string, string][];
  /** Query parameter pairs in arrival order (repeats allowed). */
  query: readonly [string, string][];
  body: string | null;
  requestId: string;
  stage: string;
  sourceIp?: string;
  protocol?: string;
  /** The API key the gateway matched (it checks the key, the function only sees it). */
  apiKey?: string;
}

export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function proxyEvent(r: ProxyRequest): APIGatewayProxyEvent {
  const pathParameters = record<string>();
  for (const [k, v] of r.pathParameters) pathParameters[k] = v;
  const headers = record<string>();
  const multiValueHeaders = record<string[]>();
  for (const [k, v] of r.headers) {
    headers[k] = v;
    (multiValueHeaders[k] ??= []).push(v);
  }
  const query = record<string>();
  const multiQuery = record<string[]>();
  for (const [k, v] of r.query) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const header = (name: string) => r.headers.findLast(([k]) => k.toLowerCase() === name)?.[1];
  const now = Date.now();
  const hasQuery = r.query.length > 0;
  return {
    resource: r.resource,
    path: r.path,
    httpMethod: r.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: r.pathParameters.length ? pathParameters : null,
    stageVariables: null,
    body: r.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      domainName: header('host') ?? 'localhost',
      domainPrefix: 'localhost',
      extendedRequestId: r.requestId,
      httpMethod: r.method,
      path: `/${r.stage}${r.path}`,
      protocol: r.protocol ?? 'HTTP/1.1',
      requestId: r.requestId,
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: r.resource,
      stage: r.stage,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: r.apiKey ?? null,
        apiKeyId: r.apiKey ? 'local-key' : null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: r.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent: header('user-agent') ?? null,
        userArn: null,
      },
    },
  };
}

/** Header name/value pairs as they arrived (Node's rawHeaders: names in the client's case, repeats kept). */
export function rawHeaderPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return pairs;
}

/** The event for a request the local adapter received, once its route is matched and its body read. */
export function requestEvent(
  req: IncomingMessage,
  r: Omit<ProxyRequest, 'headers' | 'sourceIp' | 'protocol'>,
): APIGatewayProxyEvent {
  return proxyEvent({
    ...r,
    headers: rawHeaderPairs(req),
    sourceIp: req.socket.remoteAddress,
    protocol: `HTTP/${req.httpVersion}`,
  });
}

/** The Lambda context a function of `group` gets locally, with API Gateway's 29 s integration timeout as deadline. */
export function lambdaContext(group: string, requestId: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${group}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${group}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/local-${group}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
