/**
 * Builds the CDK app: shared by bin/app.ts (the CLI) and the infrastructure tests, so both synthesize the same
 * stack with the same cdk-nag checks.
 */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { HandlerGroup } from '../functions/routes.js';
import { ChanStack } from './chan-stack.js';
import { loadConfig } from './config.js';

export interface BuildAppOptions extends AppProps {
  readonly handlerEntries?: Partial<Record<HandlerGroup, string>>;
}

export function buildApp(options: BuildAppOptions = {}): { app: App; stack: ChanStack } {
  const { handlerEntries, ...appProps } = options;
  const app = new App(appProps);
  const config = loadConfig((key) => app.node.tryGetContext(key));
  // Env-agnostic on purpose: synthesizes offline with no credentials and no AZ lookups; the CLI's profile picks
  // the account and region at deploy time.
  const stack = new ChanStack(app, `ChanAnalysis-${config.stage}`, {
    config,
    handlerEntries,
    description: `缠论分析系统 v2.0.0 (${config.stage}): API, K-line store, cache`,
    terminationProtection: config.production,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
