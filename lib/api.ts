/**
 * ChanApi: the REST API, generated from functions/routes.ts (the table the local runtime also serves), so no
 * route, API-key requirement or throttle is written twice.
 *
 * A route is wired when a function is handed to `addRoute` (ChanStack does that for every handler whose code
 * exists; a later construct, e.g. jobs, can call it too). Routes never wired are simply absent from the API and
 * reported as a synth warning. Per-method throttles and the gateway's own error bodies are rendered at synth
 * time from the routes actually wired, because API Gateway rejects method settings for methods that do not exist.
 */
import {
  Annotations,
  Duration,
  Lazy,
  RemovalPolicy,
  Size,
  Stack,
  Token,
  Validations,
  type CfnElement,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MIN_COMPRESSION_BYTES, type RouteDef, ROUTES, STAGE_THROTTLE } from '../functions/routes.js';
import type { ChanConfig } from './config.js';

/** routes.ts: "Write routes need an API key". That flag is therefore also what makes a route a writer. */
export const isWriteRoute = (r: RouteDef): boolean => r.apiKey;

/**
 * How API Gateway authorizes a route: write routes need an IAM (SigV4) signature of a principal allowed
 * execute-api:Invoke on the method (ChanApi.writersPolicy grants exactly that). The API key stays required as
 * well, as the usage plan's meter and per-client throttle, not as the credential: AWS advises against API keys
 * for authorization. Reads stay public. The local runtime (no IAM) guards writes with the API key alone.
 */
export const authorizationFor = (r: RouteDef): apigw.AuthorizationType =>
  isWriteRoute(r) ? apigw.AuthorizationType.IAM : apigw.AuthorizationType.NONE;

/** The execute-api resource path of a route: path parameters match any value. */
export const invokePath = (path: string): string => path.replace(/\{\w+\+?\}/g, '*');

/** `{symbol}` placeholders of a path, for required request parameters. */
export const pathParams = (path: string): string[] => [...path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!);

/** One JSON line per request in the access log: who asked, for what, the answer, and where the time went. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  apiKeyId: '$context.identity.apiKeyId',
  method: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  errorType: '$context.error.responseType',
};

/** CloudFormation's MethodSetting resource path: "/" then the path with every "/" encoded as "~1". */
const methodSettingPath = (path: string): string => `/${path.replaceAll('/', '~1')}`;

export interface ChanApiProps {
  readonly config: ChanConfig;
}

export class ChanApi extends Construct {
  readonly restApi: apigw.RestApi;
  /** The key for write routes; its value: `aws apigateway get-api-key --api-key ID --include-value`. */
  readonly apiKey: apigw.IApiKey;
  readonly usagePlan: apigw.UsagePlan;
  /**
   * execute-api:Invoke on exactly the wired write routes of this stage: attach it to the operators' and ingestion
   * clients' roles (or users) that may write. Created with the first write route.
   */
  writersPolicy?: iam.ManagedPolicy;
  private readonly validator: apigw.RequestValidator;
  private readonly stageName: string;
  private readonly wired: RouteDef[] = [];

  constructor(scope: Construct, id: string, props: ChanApiProps) {
    super(scope, id);
    const { config } = props;
    this.stageName = config.stage;

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.restApi = new apigw.RestApi(this, 'Api', {
      restApiName: `chan-analysis-${config.stage}`,
      description: '缠论分析系统 v2.0.0: K-lines and Chan analysis',
      // Regional: the chart page's CloudFront distribution (and any client's own CDN) sits in front; an edge
      // endpoint would add a second, unconfigurable CloudFront hop.
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // The account-wide API Gateway logging role is shared by every API in the region; see config.ts.
      cloudWatchRole: config.manageApiGatewayAccountRole,
      ...(config.manageApiGatewayAccountRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      // Analysis JSON is large and repetitive: gzip above 1 KiB saves most of the transfer time.
      minCompressionSize: Size.bytes(MIN_COMPRESSION_BYTES),
      deployOptions: {
        stageName: config.stage,
        // Stage-wide limits: the predecessor's SlowAPI defaults (routes.ts STAGE_THROTTLE).
        throttlingRateLimit: STAGE_THROTTLE.rateLimit,
        throttlingBurstLimit: STAGE_THROTTLE.burstLimit,
        // Execution logs at ERROR only (integration failures, auth and throttling decisions): cheap, and
        // the access log below covers every request.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        // Per-method CloudWatch metrics cost ~$0.30 each per month per method; per-route latency and errors
        // come from the handlers' Powertools metrics instead.
        metricsEnabled: false,
        tracingEnabled: config.tracing,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      // Preflight answered by API Gateway itself (no Lambda invocation), for exactly the configured origins;
      // the handlers add the same origins to their responses (CORS_ORIGINS).
      defaultCorsPreflightOptions: {
        allowOrigins: [...config.corsOrigins],
        allowMethods: [...new Set(ROUTES.map((r) => r.method)), 'OPTIONS'],
        // SigV4 headers as well: a browser client signing its writes sends them on the real request.
        allowHeaders: [
          'Content-Type',
          'X-Api-Key',
          'Authorization',
          'X-Amz-Date',
          'X-Amz-Security-Token',
          'X-Amz-Content-Sha256',
        ],
        maxAge: Duration.hours(1),
      },
    });
    if (config.manageApiGatewayAccountRole) {
      Validations.of(this.restApi).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level API Gateway logging role: AWS-maintained policy limited to CloudWatch Logs, the documented setup.',
      });
    }

    // Required path parameters (and any body model a route gets later) are checked before a Lambda is invoked.
    // Bodies are validated by the handlers' zod schemas: the single definition, which also generates the
    // OpenAPI document and answers with the service's {error, message, details} shape.
    this.validator = this.restApi.addRequestValidator('Validator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    this.addGatewayErrorResponses(config);

    this.apiKey = this.restApi.addApiKey('WriteKey', {
      description: `Chan analysis (${config.stage}): key for write routes (uploads, tracking symbols, jobs)`,
    });
    this.usagePlan = this.restApi.addUsagePlan('WritePlan', {
      name: `chan-analysis-${config.stage}-writers`,
      description: 'API-key holders (write routes); per-key limits equal the stage limits',
      throttle: { rateLimit: STAGE_THROTTLE.rateLimit, burstLimit: STAGE_THROTTLE.burstLimit },
      apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
    });
    this.usagePlan.addApiKey(this.apiKey);
    this.addRouteThrottles();

    this.warnUnwiredRoutes();
    this.acknowledgeFindings();
  }

  /** Wire one route of the table to a function. */
  addRoute(route: RouteDef, handler: lambda.IFunction): apigw.Method {
    if (!ROUTES.includes(route)) throw new Error(`${route.method} ${route.path} is not in functions/routes.ts ROUTES`);
    if (this.wired.includes(route)) throw new Error(`${route.method} ${route.path} is wired twice`);
    this.wired.push(route);
    const resource = this.restApi.root.resourceForPath(route.path);
    const method = resource.addMethod(
      route.method,
      // allowTestInvoke: false: no second invoke permission per method just for the console's "Test" button.
      new apigw.LambdaIntegration(handler, { allowTestInvoke: false }),
      {
        authorizationType: authorizationFor(route),
        apiKeyRequired: route.apiKey,
        requestValidator: this.validator,
        requestParameters: Object.fromEntries(pathParams(route.path).map((p) => [`method.request.path.${p}`, true])),
      },
    );
    if (authorizationFor(route) === apigw.AuthorizationType.IAM) this.allowWriters(route);
    return method;
  }

  private allowWriters(route: RouteDef): void {
    this.writersPolicy ??= new iam.ManagedPolicy(this, 'WritersPolicy', {
      description: `Chan analysis (${this.stageName}): may call the write routes (SigV4)`,
    });
    const path = invokePath(route.path);
    this.writersPolicy.addStatements(
      new iam.PolicyStatement({
        actions: ['execute-api:Invoke'],
        resources: [this.restApi.arnForExecuteApi(route.method, path, this.stageName)],
      }),
    );
    if (path.includes('*')) {
      // cdk-nag names each wildcard resource; acknowledge exactly this route's.
      const stack = Stack.of(this);
      const apiId = stack.getLogicalId(this.restApi.node.defaultChild as CfnElement);
      const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
      const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
      Validations.of(this.writersPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${region}:${account}:<${apiId}>/${this.stageName}/${route.method}${path}]`,
        reason: `${route.method} ${route.path}: the path parameter is "*" so any value matches; method, path and stage are fixed.`,
      });
    }
  }

  /** The routes wired so far (tests and later constructs). */
  get wiredRoutes(): readonly RouteDef[] {
    return this.wired;
  }

  /** Warns at synth about the routes no construct wired (e.g. jobs before its engineer adds the handler). */
  private warnUnwiredRoutes(): void {
    this.node.addValidation({
      validate: () => {
        const missing = ROUTES.filter((r) => !this.wired.includes(r));
        if (missing.length > 0) {
          Annotations.of(this).addWarningV2(
            'chan:routeNotWired',
            `Routes without a handler are not deployed: ${missing.map((r) => `${r.method} ${r.path}`).join(', ')}`,
          );
        }
        return [];
      },
    });
  }

  /** Per-method throttles (routes.ts `throttle`) as stage method settings, rendered from the wired routes. */
  private addRouteThrottles(): void {
    const cfnStage = this.restApi.deploymentStage.node.defaultChild as apigw.CfnStage;
    const stageWide = cfnStage.methodSettings;
    cfnStage.methodSettings = Lazy.any({
      produce: () => [
        ...(Array.isArray(stageWide) ? stageWide : []),
        ...this.wired
          .filter((r) => r.throttle)
          .map((r) => ({
            resourcePath: methodSettingPath(r.path),
            httpMethod: r.method,
            throttlingRateLimit: r.throttle!.rateLimit,
            throttlingBurstLimit: r.throttle!.burstLimit,
          })),
      ],
    });
  }

  /**
   * API Gateway's own errors (throttled 429, missing API key 403, unknown route, failed validation, integration
   * timeouts) in the handlers' {error, message, details} shape, so clients parse one error format. The error codes
   * and statuses are those the local adapter (local/server.ts) answers with, so a client sees the same thing in
   * both places:
   *
   * - MISSING_AUTHENTICATION_TOKEN: API Gateway's answer to a path (or a method on a path) that does not exist,
   *   and to an unsigned request to an IAM-authorized (write) route, 403 by default. Answered 404 NotFound as
   *   locally, with a message naming all three causes (the gateway does not tell them apart). Locally a known path
   *   with another method is 405 MethodNotAllowed.
   * - INVALID_API_KEY (a missing key counts as invalid), ACCESS_DENIED (signed, but the principal may not invoke the
   *   route) and INVALID_SIGNATURE: 403 Forbidden.
   * - THROTTLED (stage, method or usage-plan limits) and QUOTA_EXCEEDED: 429 TooManyRequests.
   * - BAD_REQUEST_PARAMETERS: 400 naming the missing parameters; everything else DEFAULT_4XX / DEFAULT_5XX.
   *
   * CORS headers: with exactly one configured origin it is added (browsers can then read 403/404/429 bodies). With
   * several, none is: a gateway response cannot choose among origins, and reflecting the request's Origin would
   * amount to "*". The chart page does not need them (it calls the API on its own origin through CloudFront).
   */
  private addGatewayErrorResponses(config: ChanConfig): void {
    const corsHeaders: Record<string, string> =
      config.corsOrigins.length === 1
        ? { 'Access-Control-Allow-Origin': `'${config.corsOrigins[0]}'`, Vary: "'Origin'" }
        : {};
    const json = (error: string, message: string, details: string) =>
      `{"error":${error},"message":${message},"details":${details}}`;
    const fromGateway = (details: string) =>
      json('"$context.error.responseType"', '$context.error.messageString', details);
    const responses: [string, apigw.ResponseType, string, string?][] = [
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, fromGateway('null')],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, fromGateway('null')],
      // Names the missing parameters ("Missing required request parameters: [symbol]"; no quotes to escape).
      [
        'BadParameters',
        apigw.ResponseType.BAD_REQUEST_PARAMETERS,
        fromGateway('"$context.error.validationErrorString"'),
      ],
      [
        'NotFound',
        apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
        json(
          '"NotFound"',
          '"No route $context.httpMethod $context.path: unknown path, a method this path does not have, or a write route called without a SigV4 signature"',
          'null',
        ),
        '404',
      ],
      [
        'InvalidApiKey',
        apigw.ResponseType.INVALID_API_KEY,
        json(
          '"Forbidden"',
          '"Missing or invalid API key: this write route requires a valid x-api-key header"',
          '[{"field":"headers.x-api-key","message":"missing or invalid"}]',
        ),
        '403',
      ],
      [
        'AccessDenied',
        apigw.ResponseType.ACCESS_DENIED,
        json('"Forbidden"', '$context.error.messageString', 'null'),
        '403',
      ],
      [
        'InvalidSignature',
        apigw.ResponseType.INVALID_SIGNATURE,
        json('"Forbidden"', '$context.error.messageString', '[{"field":"headers.authorization","message":"invalid"}]'),
        '403',
      ],
      [
        'Throttled',
        apigw.ResponseType.THROTTLED,
        json(
          '"TooManyRequests"',
          '"Too many requests: rate limit of $context.httpMethod $context.resourcePath exceeded; retry with backoff"',
          'null',
        ),
        '429',
      ],
      [
        'QuotaExceeded',
        apigw.ResponseType.QUOTA_EXCEEDED,
        json('"TooManyRequests"', '"API key quota exceeded"', 'null'),
        '429',
      ],
    ];
    for (const [id, type, template, statusCode] of responses) {
      this.restApi.addGatewayResponse(id, {
        type,
        ...(statusCode ? { statusCode } : {}),
        templates: { 'application/json': template },
        responseHeaders: corsHeaders,
      });
    }
  }

  private acknowledgeFindings(): void {
    const ack = (id: string, reason: string) => Validations.of(this.restApi).acknowledge({ id, reason });
    ack(
      'AwsSolutions-APIG4',
      'Reads are public market data by design (the predecessor had no auth on reads); every write route requires IAM (SigV4) ' +
        'authorization plus an API key bound to a usage plan, and CORS preflight (OPTIONS) must be unauthenticated by the CORS protocol.',
    );
    ack(
      'AwsSolutions-COG4',
      'The service has no end-user accounts to authenticate with Cognito: reads are public, writes are made by operators and ' +
        'ingestion clients with IAM credentials (SigV4) and an API key.',
    );
    ack(
      'AwsSolutions-APIG3',
      'No WAF for v2.0: abuse is bounded by stage and per-method throttling and usage plans; a web ACL (~$5/month + $1 per rule ' +
        '+ $0.60 per million requests) is the next step if the public endpoint attracts scanning or scraping.',
    );
  }
}
