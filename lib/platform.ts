/**
 * ChanPlatform: what every concern construct receives, so adding one (chart site, ingestion, jobs, monitoring)
 * is a single line in ChanStack: `new Ingestion(this, 'Ingestion', this.platform);`.
 */
import type { ApiHandlers } from './api-handlers.js';
import type { ChanApi } from './api.js';
import type { Cache } from './cache.js';
import type { ChanConfig } from './config.js';
import type { Data } from './data.js';
import type { Network } from './network.js';
import type { AppSecret } from './secrets.js';
import type { FunctionDefaults } from './service-function.js';

export interface ChanPlatform {
  readonly config: ChanConfig;
  readonly network: Network;
  readonly data: Data;
  readonly cache: Cache;
  readonly secret: AppSecret;
  readonly api: ChanApi;
  /** API handler functions (`functionFor('jobs', 'write')`, ...). */
  readonly handlers: ApiHandlers;
  /** Pass to `new ServiceFunction(scope, id, { defaults: platform.functionDefaults, ... })`. */
  readonly functionDefaults: FunctionDefaults;
}
