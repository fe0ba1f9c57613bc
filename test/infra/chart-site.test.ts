/**
 * Template assertions for the chart site (lib/chart-site.ts) in a tiny stack of its own: a private, encrypted,
 * TLS-only bucket reachable only by the distribution (origin access control), HTTPS everywhere, every route of
 * the table (/api/*, /health) routed to the REST API stage without caching, no wildcard anywhere, and the page deployed from web/dist.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes.js';
import { ChartSite } from '../../lib/chart-site.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON, read loosely
type Json = Record<string, any>;

function build(opts: { production?: boolean; accessLogs?: boolean } = {}): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ChartSiteTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const api = new apigw.RestApi(stack, 'Api', { cloudWatchRole: false, deployOptions: { stageName: 'dev' } });
  api.root.addResource('health').addMethod('GET', new apigw.MockIntegration());
  const webDist = mkdtempSync(join(tmpdir(), 'chart-dist-'));
  writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>t</title>');
  new ChartSite(stack, 'Chart', { api, webDist, ...opts });
  return stack;
}

const synth = (opts: { production?: boolean; accessLogs?: boolean } = {}) => Template.fromStack(build(opts));

describe('ChartSite', () => {
  let t: Template;
  beforeAll(() => {
    t = synth();
  });

  it('keeps the site bucket private: public access blocked, SSE, owner-enforced', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }),
    });
    // Every bucket of the construct (site and logs) blocks public access and is encrypted.
    for (const b of Object.values(t.findResources('AWS::S3::Bucket'))) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption).toBeDefined();
    }
  });

  it('enforces TLS on every bucket policy and lets only this distribution read the site (OAC)', () => {
    const policies = Object.values(t.findResources('AWS::S3::BucketPolicy'));
    expect(policies.length).toBeGreaterThanOrEqual(2);
    for (const p of policies) {
      const stmts = p.Properties.PolicyDocument.Statement as Json[];
      expect(stmts).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Principal: { AWS: '*' },
        }),
      );
      // No Allow to an anonymous principal.
      for (const s of stmts.filter((x) => x.Effect === 'Allow'))
        expect(JSON.stringify(s.Principal)).not.toContain('"*"');
    }
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    t.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    t.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('serves the page over HTTPS from S3 and routes /api/* to the API stage, uncached', () => {
    const dists = Object.values(t.findResources('AWS::CloudFront::Distribution'));
    expect(dists).toHaveLength(1);
    const cfg = dists[0].Properties.DistributionConfig;
    expect(cfg.DefaultRootObject).toBe('index.html');
    expect(cfg.Enabled).toBe(true);
    expect(cfg.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(cfg.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(cfg.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();

    const s3Origin = (cfg.Origins as Json[]).find((o) => o.S3OriginConfig)!;
    expect(s3Origin.OriginAccessControlId).toBeDefined();
    expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');

    expect((cfg.CacheBehaviors as Json[]).map((b) => b.PathPattern).sort()).toEqual(['/api/*', '/health']);
    const api = (cfg.CacheBehaviors as Json[]).find((b) => b.PathPattern === '/api/*')!;
    expect(new Set((cfg.CacheBehaviors as Json[]).map((b) => b.TargetOriginId)).size).toBe(1);
    expect(api.ViewerProtocolPolicy).toBe('https-only');
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']));
    expect(api.Compress).toBe(true);
    expect(api.CachePolicyId).toEqual({ Ref: expect.any(String) });
    for (const b of cfg.CacheBehaviors as Json[]) expect(b.CachePolicyId).toEqual(api.CachePolicyId);
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    const apiOrigin = (cfg.Origins as Json[]).find((o) => o.Id === api.TargetOriginId)!;
    expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    // Origin path = the stage, cut out of the API URL ("https://id.execute-api.region.amazonaws.com/dev/").
    expect(JSON.stringify(apiOrigin.OriginPath)).toContain('ApiDeploymentStagedev');
    expect(JSON.stringify(apiOrigin.DomainName)).toContain('ApiF70053CD'); // the RestApi's execute-api host

    expect(cfg.Logging).toEqual(expect.objectContaining({ Prefix: 'cloudfront/' }));
  });

  it('keeps API answers out of the cache (default TTL 0, at most 1 s) and compresses them (gzip and brotli)', () => {
    const cfg = Object.values(t.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const ref = (cfg.CacheBehaviors as Json[]).find((b) => b.PathPattern === '/api/*')!.CachePolicyId.Ref as string;
    const policy = t.toJSON().Resources[ref] as Json;
    expect(policy.Type).toBe('AWS::CloudFront::CachePolicy');
    const c = policy.Properties.CachePolicyConfig;
    // A response without Cache-Control is never stored; what the origin marks cacheable lives at most 1 s.
    expect([c.MinTTL, c.DefaultTTL, c.MaxTTL]).toEqual([0, 0, 1]);
    const key = c.ParametersInCacheKeyAndForwardedToOrigin;
    expect(key.EnableAcceptEncodingGzip).toBe(true);
    expect(key.EnableAcceptEncodingBrotli).toBe(true);
    // Whatever is cached for that second is keyed on the whole request a GET can vary by: query and Origin.
    expect(key.QueryStringsConfig).toEqual({ QueryStringBehavior: 'all' });
    expect(key.HeadersConfig).toEqual({ HeaderBehavior: 'whitelist', Headers: ['Origin'] });
    expect(key.CookiesConfig).toEqual({ CookieBehavior: 'none' });
  });

  it('every route of functions/routes.ts reaches the API origin through CloudFront, none the page bucket', () => {
    const cfg = Object.values(t.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    const apiOrigin = (cfg.Origins as Json[]).find((o) => o.CustomOriginConfig)!.Id;
    // CloudFront path patterns: * any run of characters, ? one; the first matching behaviour in order wins.
    const glob = (p: string) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
    const originFor = (path: string) =>
      (cfg.CacheBehaviors as Json[]).find((b) => glob(b.PathPattern).test(path))?.TargetOriginId ??
      cfg.DefaultCacheBehavior.TargetOriginId;
    for (const r of ROUTES) {
      const concrete = r.path.replace(/\{(\w+)\}/g, 'X1');
      expect(originFor(concrete), `${r.method} ${r.path}`).toBe(apiOrigin);
    }
    expect(originFor('/index.html')).not.toBe(apiOrigin);
  });

  it('sends security headers: a CSP limited to its own origin, HSTS, no framing', () => {
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.stringLikeRegexp("connect-src 'self'"),
            Override: true,
          },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31536000, Override: true }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
        }),
      },
    });
  });

  it('has no wildcard CORS origin anywhere in the template', () => {
    const json = JSON.stringify(t.toJSON());
    expect(json).not.toMatch(/Access-Control-Allow-Origin[^,]*\*/i);
    for (const p of Object.values(t.findResources('AWS::CloudFront::ResponseHeadersPolicy'))) {
      expect(p.Properties.ResponseHeadersPolicyConfig.CorsConfig).toBeUndefined();
    }
  });

  it('deploys web/dist into the bucket and invalidates the distribution', () => {
    t.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: Match.anyValue(),
      DistributionId: Match.anyValue(),
      DistributionPaths: ['/*'],
      Prune: true,
    });
    t.hasOutput('*', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }), Description: 'The chart page' });
  });

  it('retains data in production and deletes it otherwise', () => {
    const dev = Object.values(t.findResources('AWS::S3::Bucket'));
    expect(dev.every((b) => b.DeletionPolicy === 'Delete')).toBe(true);
    const prod = synth({ production: true });
    const buckets = Object.values(prod.findResources('AWS::S3::Bucket'));
    expect(buckets.every((b) => b.DeletionPolicy === 'Retain')).toBe(true);
    prod.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('leaves no open cdk-nag AwsSolutions finding on its own resources', () => {
    const report = new AwsSolutionsChecks().validateScope(build());
    const ours = report.violations.flatMap((v) =>
      v.violatingResources
        .filter(
          (r) =>
            (r.constructPath ?? '').startsWith('ChartSiteTest/Chart/') ||
            (r.constructPath ?? '').includes('Custom::CDKBucketDeployment'),
        )
        .map((r) => `${v.ruleName} ${r.constructPath}`),
    );
    expect(ours).toEqual([]);
  });

  it('refuses to synthesize without a built page', () => {
    const app = new App();
    const stack = new Stack(app, 'NoDist');
    const api = new apigw.RestApi(stack, 'Api', { cloudWatchRole: false });
    api.root.addMethod('GET', new apigw.MockIntegration());
    expect(() => new ChartSite(stack, 'Chart', { api, webDist: join(tmpdir(), 'definitely-not-built') })).toThrow(
      /build:web/,
    );
  });
});
