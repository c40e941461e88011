import type { Express } from 'express';
import { createApp } from '../../src/app.ts';
import { jobs as catalogue } from '../../src/capabilities.ts';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { JobRunner } from '../../src/jobs/index.ts';
import type { JobDefinition } from '../../src/shared/job-definition.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { logger } from '../../src/shared/logger.ts';
import type { Actor, Role } from '../../src/shared/roles.ts';

export const TEST_ENV = {
  NODE_ENV: 'test',
  DATA_DIR: '/nonexistent-test-data-dir',
  JWT_SECRET: 'test-access-secret-0123456789abcdef0123456789',
  JWT_REFRESH_SECRET: 'test-refresh-secret-0123456789abcdef012345678',
  PII_ENCRYPTION_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  PII_HMAC_KEY: 'test-hmac-key-0123456789abcdef0123456789abcdef',
  LOG_LEVEL: 'silent',
} as const;

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...TEST_ENV, ...overrides });
}

export interface TestApp {
  app: Express;
  config: Config;
  runner: JobRunner;
}

export function createTestApp(options: { env?: Record<string, string>; jobs?: JobDefinition[] } = {}): TestApp {
  const config = testConfig(options.env);
  const runner = new JobRunner(config, logger, options.jobs ?? catalogue);
  return { app: createApp({ config, jobRunner: runner }), config, runner };
}

let actorCounter = 0;

/** A signed access token for a made-up user of the given role (identity arrives with issue 3). */
export function tokenFor(config: Config, role: Role, scope: Partial<Omit<Actor, 'role'>> = {}): string {
  actorCounter += 1;
  const actor: Actor = {
    id: scope.id ?? `test-${role}-${actorCounter}`,
    role,
    communityIds: scope.communityIds ?? [],
    streetId: scope.streetId ?? null,
    providerId: scope.providerId ?? null,
    caregiverId: scope.caregiverId ?? null,
  };
  return `Bearer ${signAccessToken(config, actor)}`;
}
