/**
 * The chart page in AWS: web/dist in a private S3 bucket, served by CloudFront through origin access control,
 * with `/api/*` and `/health` (apiPathPatterns) routed by the same distribution to the REST API, so the page calls the API on its own origin
 * (no CORS involved; nothing is opened with a wildcard). `siteOrigin` is exported for stacks that still want
 * the page's origin in the API's explicit CORS list.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ROUTES, type RouteDef } from '../functions/routes.js';
import { PAGE_CSP } from '../web/csp.js';

export const DEFAULT_WEB_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');

export interface ChartSiteProps {
  /** The REST API; its deployment stage becomes the origin path of the `/api/*` behaviour. */
  readonly api: RestApiBase;
  /** Folder with the built page (index.html, app.js, style.css). Default: web/dist (`npm run build:web`). */
  readonly webDist?: string;
  /** Retain the site and log buckets on stack deletion (production); otherwise they are emptied and deleted. */
  readonly production?: boolean;
  /** Default: PRICE_CLASS_100 (North America, Europe). */
  readonly priceClass?: cloudfront.PriceClass;
  /** CloudFront standard access logs to a dedicated bucket. Default true. */
  readonly accessLogs?: boolean;
  /**
   * Retention of the deployment handler's log group (the stack's log retention). Default: one month. Kept on
   * stack deletion in production, like every other log group of the stack.
   */
  readonly logRetention?: logs.RetentionDays;
}

/** The path pattern CloudFront forwards to the API for every route under API_PREFIX. */
export const API_PATH_PATTERN = '/api/*';

/**
 * Path patterns CloudFront forwards to the API instead of S3, from the route table: `/api/*` for the versioned
 * API and each other route by its own path (`/health`), so no route is served the page's 404 instead.
 */
export function apiPathPatterns(routes: readonly RouteDef[] = ROUTES): string[] {
  return [...new Set(routes.map((r) => (r.path.startsWith('/api/') ? API_PATH_PATTERN : r.path)))];
}

/**
 * The API behaviours' cache policy: nothing is kept, but responses are compressed. The API has its own cache
 * (ElastiCache) and throttling, and one user's answer must never be served to another, so the default TTL is 0: a
 * response without Cache-Control (every API answer but openapi.json's) is never stored. The managed CachingDisabled
 * policy does that too but turns off compression: CloudFront compresses only under a policy with the gzip/brotli
 * flags, and CloudFormation refuses those flags when every TTL is 0. Hence a maximum TTL of 1 s, which only caps
 * what an origin marks cacheable itself (openapi.json, public, max-age=300), keyed on the whole query string and the
 * Origin header (the CORS answer depends on it).
 */
function apiCachePolicy(scope: Construct): cloudfront.CachePolicy {
  return new cloudfront.CachePolicy(scope, 'ApiCompressNoStore', {
    comment: 'chan API: nothing cached (default TTL 0, at most 1 s when the origin asks), gzip and brotli',
    minTtl: Duration.seconds(0),
    defaultTtl: Duration.seconds(0),
    maxTtl: Duration.seconds(1),
    enableAcceptEncodingGzip: true,
    enableAcceptEncodingBrotli: true,
    queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
    headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Origin'),
    cookieBehavior: cloudfront.CacheCookieBehavior.none(),
  });
}

export class ChartSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket?: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly deployment: s3deploy.BucketDeployment;
  /** `https://dxxxx.cloudfront.net`: the page's origin. */
  readonly siteOrigin: string;

  constructor(scope: Construct, id: string, props: ChartSiteProps) {
    super(scope, id);
    const webDist = props.webDist ?? DEFAULT_WEB_DIST;
    if (!existsSync(join(webDist, 'index.html'))) {
      throw new Error(`ChartSite: ${webDist}/index.html not found; build the page first with \`npm run build:web\``);
    }
    const removal = props.production
      ? { removalPolicy: RemovalPolicy.RETAIN }
      : { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true };

    if (props.accessLogs ?? true) {
      // CloudFront standard logging writes with ACLs, so this bucket (only this one) keeps object-writer ownership.
      this.logBucket = new s3.Bucket(this, 'AccessLogs', {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
        lifecycleRules: [{ expiration: Duration.days(props.production ? 365 : 30) }],
        ...removal,
      });
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      publicReadAccess: false,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: !!props.production,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: this.logBucket ? 's3/' : undefined,
      ...removal,
    });

    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'chart page: CSP limited to its own origin, HSTS, no framing, no sniffing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: PAGE_CSP,
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
      },
    });

    const apiBehavior: cloudfront.BehaviorOptions = {
      // RestApiOrigin sets the origin path to the deployment stage (/dev, /prod).
      origin: new origins.RestApiOrigin(props.api),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: apiCachePolicy(this),
      // Everything the viewer sent (query, x-api-key, content-type) except Host, which API Gateway must see as its own.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: true,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `chan-analysis chart page (${Stack.of(this).stackName})`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: !!this.logBucket,
      logBucket: this.logBucket,
      logFilePrefix: this.logBucket ? 'cloudfront/' : undefined,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      additionalBehaviors: Object.fromEntries(apiPathPatterns().map((pattern) => [pattern, apiBehavior])),
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'A public market-data chart: no geographic restriction is wanted.' },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static page plus an API that has its own API Gateway throttling and API keys on writes; WAF is an optional add-on.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Served on the default *.cloudfront.net certificate, for which CloudFront fixes the viewer TLS policy; a custom domain gets TLSv1.2_2021.',
      },
    );

    // Our own log group for CDK's deployment handler, so its logs follow the stack's retention and removal policy
    // instead of the handler's default (two years, deleted with the stack).
    const deployLogs = new logs.LogGroup(this, 'DeployLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      logGroup: deployLogs,
      sources: [s3deploy.Source.asset(webDist)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 256,
    });

    // The deployment's handler is a stack-wide singleton written by CDK (its role, policy and runtime are not ours
    // to choose); acknowledge its findings there, one by one with the reason, rather than across the whole stack.
    const stack = Stack.of(this);
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const bucketLogicalId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)) as string;
    const iam5 = [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::<${bucketLogicalId}.Arn>/*`,
      `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*`,
      'Resource::*',
    ];
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      Validations.of(child).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'CDK BucketDeployment handler: the managed policy only lets it write its own logs.',
        },
        ...iam5.map((f) => ({
          id: `AwsSolutions-IAM5[${f}]`,
          reason:
            'CDK BucketDeployment handler: copies the CDK asset into this site bucket and invalidates the distribution (CreateInvalidation takes no resource narrower than *).',
        })),
        {
          id: 'AwsSolutions-L1',
          reason: 'CDK BucketDeployment handler: the runtime is pinned by aws-cdk-lib and moves with it.',
        },
      );
    }

    this.siteOrigin = `https://${this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'ChartUrl', { value: `${this.siteOrigin}/`, description: 'The chart page' });
  }
}
