import type { Express } from 'express';
import { createApp } from '../../src/app.ts';
import { jobs as catalogue } from '../../src/capabilities.ts';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { JobRunner } from '../../src/jobs/index.ts';
import type { JobDefinition } from '../../src/shared/job-definition.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { logger } from '../../src/shared/logger.ts';
import type { Actor, Role } from '../../src/shared/roles.ts';
import { actorOf } from '../../src/identity/actor.ts';
import { hashPassword } from '../../src/identity/password.ts';
import { UserModel } from '../../src/identity/user.model.ts';

export const TEST_ENV = {
  NODE_ENV: 'test',
  DATA_DIR: '/nonexistent-test-data-dir',
  JWT_SECRET: 'test-access-secret-0123456789abcdef0123456789',
  JWT_REFRESH_SECRET: 'test-refresh-secret-0123456789abcdef012345678',
  PII_ENCRYPTION_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  PII_HMAC_KEY: 'test-hmac-key-0123456789abcdef0123456789abcdef',
  SETTLEMENT_SAMPLE_SEED: 'test-sample-secret-0123456789abcdef',
  AUDIT_HMAC_KEY: 'test-audit-key-0123456789abcdef0123456789',
  LOG_LEVEL: 'silent',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000',
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

let userCounter = 0;
// Test users all share one precomputed hash: scrypt per test user would only slow the suite.
let sharedPasswordHash: Promise<string> | undefined;
export const TEST_USER_PASSWORD = 'correct-horse-battery';

/** Creates an active user of this role and scope in the test database. */
export async function createTestUser(role: Role, scope: Partial<Omit<Actor, 'role' | 'id'>> & { username?: string; displayName?: string } = {}): Promise<Actor & { username: string }> {
  userCounter += 1;
  sharedPasswordHash ??= hashPassword(TEST_USER_PASSWORD);
  const user = await UserModel.create({
    username: scope.username ?? `t-${role.replace('_', '-')}-${userCounter}`,
    displayName: scope.displayName ?? `测试${role}`,
    role,
    passwordHash: await sharedPasswordHash,
    communityIds: scope.communityIds ?? [],
    streetId: scope.streetId ?? null,
    providerId: scope.providerId ?? null,
    caregiverId: scope.caregiverId ?? null,
    active: true,
  });
  return { ...actorOf(user.toObject()), username: user.username };
}

/** A user of the given role and scope plus a signed access token for it, as an Authorization header. */
export async function tokenFor(config: Config, role: Role, scope: Partial<Omit<Actor, 'role' | 'id'>> = {}): Promise<string> {
  const actor = await createTestUser(role, scope);
  return `Bearer ${signAccessToken(config, actor)}`;
}

/** Like tokenFor, and also the actor, for tests that assert who did something. */
export async function authFor(config: Config, role: Role, scope: Partial<Omit<Actor, 'role' | 'id'>> = {}): Promise<{ authorization: string; actor: Actor }> {
  const actor = await createTestUser(role, scope);
  return { authorization: `Bearer ${signAccessToken(config, actor)}`, actor };
}
