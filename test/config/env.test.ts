import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/env.ts';
import { TEST_ENV } from '../support/app.ts';

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to refuse this environment');
}

describe('configuration from the environment', () => {
  let tempDir: string;
  beforeEach(() => {
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'starlight-config-'));
  });
  afterEach(() => rmSync(tempDir, { recursive: true, force: true }));

  it('parses a complete environment into typed, frozen values with defaults', () => {
    const config = loadConfig({ ...TEST_ENV, PORT: '8080', OFFER_TIMEOUT_MINUTES: '20' });

    expect(config.port).to.equal(8080);
    expect(config.offerTimeoutMinutes).to.equal(20);
    expect(config.businessTimeZone).to.equal('Asia/Shanghai');
    expect(config.pii.encryptionKey).to.have.length(32);
    expect(config.jwt.accessTtlSeconds).to.equal(900);
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('names the variable at fault for a wrong value', () => {
    expect(problemsOf({ ...TEST_ENV, PORT: 'eighty' }).map((p) => p.variable)).to.deep.equal(['PORT']);
    expect(problemsOf({ ...TEST_ENV, LOG_LEVEL: 'loud' }).map((p) => p.variable)).to.deep.equal(['LOG_LEVEL']);
    expect(problemsOf({ ...TEST_ENV, TZ_BUSINESS: 'Mars/Olympus' }).map((p) => p.variable)).to.deep.equal(['TZ_BUSINESS']);
    expect(problemsOf({ ...TEST_ENV, MONGODB_URI: 'postgres://x' }).map((p) => p.variable)).to.deep.equal(['MONGODB_URI']);
    expect(problemsOf({ ...TEST_ENV, PII_ENCRYPTION_KEY: 'too-short' }).map((p) => p.variable)).to.deep.equal(['PII_ENCRYPTION_KEY']);
  });

  it('refuses to start in production with any secret missing, naming each', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DATA_DIR: tempDir, MONGODB_URI: 'mongodb://db/' });

    expect(problems.map((p) => p.variable)).to.deep.equal(['JWT_SECRET', 'JWT_REFRESH_SECRET', 'PII_ENCRYPTION_KEY', 'PII_HMAC_KEY', 'SETTLEMENT_SAMPLE_SEED', 'AUDIT_HMAC_KEY']);
    expect(existsSync(path.join(tempDir, 'dev-secrets.json'))).to.equal(false);
  });

  it('refuses to start in production without MONGODB_URI instead of starting the embedded database', () => {
    const secrets = Object.fromEntries(Object.entries(TEST_ENV).filter(([name]) => /SECRET|KEY|SEED/.test(name)));
    const problems = problemsOf({ ...secrets, NODE_ENV: 'production', DATA_DIR: tempDir });

    expect(problems).to.have.length(1);
    expect(problems[0]?.variable).to.equal('MONGODB_URI');
    expect(problems[0]?.message).to.include('NODE_ENV=production').and.include('embedded FerretDB').and.include('生产环境必须设置 MONGODB_URI');
    expect(loadConfig({ ...secrets, NODE_ENV: 'production', DATA_DIR: tempDir, MONGODB_URI: 'mongodb://db/' }).mongodbUri).to.equal('mongodb://db/');
    expect(loadConfig({ ...secrets, NODE_ENV: 'development', DATA_DIR: tempDir }).mongodbUri).to.equal(undefined);
  });

  it('stops a real production start without MONGODB_URI before any embedded FerretDB is started', function () {
    this.timeout(30_000);
    const secrets = Object.fromEntries(Object.entries(TEST_ENV).filter(([name]) => /SECRET|KEY|SEED/.test(name)));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { PATH: process.env.PATH, ...secrets, NODE_ENV: 'production', DATA_DIR: tempDir, PORT: '0', LOG_LEVEL: 'info' },
      encoding: 'utf8',
      timeout: 25_000,
    });

    expect(result.status).to.equal(1);
    expect(result.stderr).to.include('Invalid configuration').and.include('MONGODB_URI').and.include('embedded FerretDB');
    expect(result.stdout).not.to.include('FerretDB started');
    expect(existsSync(path.join(tempDir, 'ferretdb'))).to.equal(false);
    expect(existsSync(path.join(tempDir, 'dev-secrets.json'))).to.equal(false);
  });

  describe('PII_KEYS (key rotation)', () => {
    const K2 = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';
    const K1 = TEST_ENV.PII_ENCRYPTION_KEY;
    const K3_BASE64 = Buffer.alloc(32, 7).toString('base64');
    /** The one problem of PII_KEYS, checked never to repeat a key. */
    const problemOf = (keys: string): string => {
      const problems = problemsOf({ ...TEST_ENV, PII_KEYS: keys });
      expect(problems.map((p) => p.variable)).to.deep.equal(['PII_KEYS']);
      const message = problems[0]!.message;
      for (const key of [K1, K2, K3_BASE64, K2.slice(0, 62)]) expect(message).not.to.include(key);
      expect(message).to.include('newest first');
      return message;
    };

    it('reads versions newest first, hex or base64, the single key still readable beside them', () => {
      const config = loadConfig({ ...TEST_ENV, PII_KEYS: `v3:${K3_BASE64}, v2:${K2}` });

      expect(config.pii.keyVersion).to.equal(3);
      expect(config.pii.encryptionKey.equals(Buffer.alloc(32, 7))).to.equal(true);
      expect([...config.pii.readableKeys.keys()].sort()).to.deep.equal([1, 2, 3]);
    });

    it('refuses a bad version, naming the entry', () => {
      expect(problemOf(`v0:${K2}`)).to.include('entry 1 of 1: the version "v0" is not v1 to v999999');
      expect(problemOf(`v3:${K3_BASE64},x2:${K2}`)).to.include('entry 2 of 2: the version "x2" is not v1 to v999999');
      expect(problemOf(`2:${K2}`)).to.include('the version "2" is not');
      expect(problemOf(`v1234567:${K2}`)).to.include('the version "v1234567" is not');
      expect(problemOf(K2)).to.include('entry 1 of 1 has no "v<version>:" in front of its key');
      expect(problemOf(`v3:${K3_BASE64},`)).to.include('entry 2 of 2 has no "v<version>:"');
    });

    it('refuses a version listed twice, even with the same key', () => {
      expect(problemOf(`v2:${K2},v2:${K3_BASE64}`)).to.include('v2 is listed twice');
      expect(problemOf(`v2:${K2},v2:${K2}`)).to.include('v2 is listed twice');
    });

    it('refuses an older key listed before a newer one', () => {
      expect(problemOf(`v2:${K2},v3:${K3_BASE64}`)).to.include('v2 is listed before the newer v3: the newest key comes first');
    });

    it('refuses a key of the wrong length, naming the entry and its version but not the key', () => {
      expect(problemOf(`v2:${K2.slice(0, 62)}`)).to.include('entry 1 of 1 (v2): the key is not 32 bytes as 64 hex characters or base64');
      expect(problemOf(`v3:${K3_BASE64},v2:${K2}00`)).to.include('entry 2 of 2 (v2): the key is not 32 bytes');
      expect(problemOf(`v2:${Buffer.alloc(16, 1).toString('base64')}`)).to.include('(v2): the key is not 32 bytes');
      expect(problemOf('v2:')).to.include('(v2): the key is not 32 bytes');
    });

    it('refuses PII_ENCRYPTION_KEY under a version PII_KEYS gives another key, or newer than PII_KEYS\' newest', () => {
      expect(problemsOf({ ...TEST_ENV, PII_KEYS: `v1:${K2}` })).to.deep.equal([{ variable: 'PII_ENCRYPTION_KEY', message: 'is version v1 (PII_KEY_VERSION), which PII_KEYS lists with another key' }]);
      expect(problemsOf({ ...TEST_ENV, PII_KEY_VERSION: '4', PII_KEYS: `v3:${K3_BASE64}` }).map((p) => p.variable)).to.deep.equal(['PII_KEYS']);
    });

    it('stops the real server start on a bad PII_KEYS with exit code 1 and the message', function () {
      this.timeout(30_000);
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        env: { PATH: process.env.PATH, ...TEST_ENV, DATA_DIR: tempDir, PII_KEYS: `v2:${K2},v2:${K3_BASE64}` },
        encoding: 'utf8',
        timeout: 25_000,
      });

      expect(result.status).to.equal(1);
      expect(result.stderr).to.include('Invalid configuration').and.include('PII_KEYS: v2 is listed twice');
      expect(result.stderr).not.to.include(K2);
    });
  });

  it('outside production generates missing secrets once under the data folder and reuses them', () => {
    const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: tempDir });
    const second = loadConfig({ NODE_ENV: 'development', DATA_DIR: tempDir });

    const file = path.join(tempDir, 'dev-secrets.json');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(second.jwt.accessSecret).to.equal(first.jwt.accessSecret);
    expect(second.pii.encryptionKey.equals(first.pii.encryptionKey)).to.equal(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).to.have.keys('JWT_SECRET', 'JWT_REFRESH_SECRET', 'PII_ENCRYPTION_KEY', 'PII_HMAC_KEY', 'SETTLEMENT_SAMPLE_SEED', 'AUDIT_HMAC_KEY');
    expect(second.settlement.sampleSeed).to.equal(first.settlement.sampleSeed).and.have.length(64);
  });

  it('completes the secrets of a data folder made before the sample seed was one, keeping the others', () => {
    const file = path.join(tempDir, 'dev-secrets.json');
    const older = { JWT_SECRET: 'a'.repeat(64), JWT_REFRESH_SECRET: 'b'.repeat(64), PII_ENCRYPTION_KEY: 'c'.repeat(64), PII_HMAC_KEY: 'd'.repeat(64) };
    writeFileSync(file, JSON.stringify(older));
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: tempDir });
    expect(config.jwt.accessSecret).to.equal(older.JWT_SECRET);
    expect(config.settlement.sampleSeed).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).to.deep.include(older);
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: tempDir }).settlement.sampleSeed).to.equal(config.settlement.sampleSeed);
  });

  it('refuses a guessable sample seed, such as the old public default', () => {
    expect(problemsOf({ ...TEST_ENV, SETTLEMENT_SAMPLE_SEED: 'starlight-review' }).map((p) => p.variable)).to.deep.equal(['SETTLEMENT_SAMPLE_SEED']);
  });

  it('reads the annual budgets as integer fen, null when not set', () => {
    expect(loadConfig({ ...TEST_ENV }).annualBudget).to.deep.equal({ cityFen: null, districtFen: null });
    expect(loadConfig({ ...TEST_ENV, ANNUAL_BUDGET_CITY_FEN: '120000000000', ANNUAL_BUDGET_DISTRICT_FEN: '' }).annualBudget).to.deep.equal({ cityFen: 120_000_000_000, districtFen: null });
    expect(problemsOf({ ...TEST_ENV, ANNUAL_BUDGET_CITY_FEN: '1200.50' }).map((p) => p.variable)).to.deep.equal(['ANNUAL_BUDGET_CITY_FEN']);
    expect(problemsOf({ ...TEST_ENV, ANNUAL_BUDGET_DISTRICT_FEN: '-1' }).map((p) => p.variable)).to.deep.equal(['ANNUAL_BUDGET_DISTRICT_FEN']);
  });

  it('reads job schedules and one lease length for every job, refusing malformed ones', () => {
    expect(loadConfig({ ...TEST_ENV })).to.include({ jobLeaseMs: null });
    expect(loadConfig({ ...TEST_ENV }).jobSchedules).to.deep.equal({});
    const config = loadConfig({ ...TEST_ENV, JOB_SCHEDULES: '{"settlement":"0 0 2 3 * *"}', JOB_LEASE_SECONDS: '15' });
    expect(config.jobSchedules).to.deep.equal({ settlement: '0 0 2 3 * *' });
    expect(config.jobLeaseMs).to.equal(15_000);
    expect(problemsOf({ ...TEST_ENV, JOB_SCHEDULES: '{settlement}' }).map((p) => p.variable)).to.deep.equal(['JOB_SCHEDULES']);
    expect(problemsOf({ ...TEST_ENV, JOB_SCHEDULES: '{"settlement":"every day"}' }).map((p) => p.variable)).to.deep.equal(['JOB_SCHEDULES']);
    expect(problemsOf({ ...TEST_ENV, JOB_SCHEDULES: '["0 * * * * *"]' }).map((p) => p.variable)).to.deep.equal(['JOB_SCHEDULES']);
    expect(problemsOf({ ...TEST_ENV, JOB_LEASE_SECONDS: '1' }).map((p) => p.variable)).to.deep.equal(['JOB_LEASE_SECONDS']);
  });

  it('requires the bootstrap admin username and password together', () => {
    expect(problemsOf({ ...TEST_ENV, BOOTSTRAP_ADMIN_USERNAME: 'admin' }).map((p) => p.variable)).to.deep.equal(['BOOTSTRAP_ADMIN_PASSWORD']);
    expect(problemsOf({ ...TEST_ENV, BOOTSTRAP_ADMIN_USERNAME: 'admin', BOOTSTRAP_ADMIN_PASSWORD: 'short' }).map((p) => p.variable)).to.deep.equal(['BOOTSTRAP_ADMIN_PASSWORD']);
  });

  it('stops the real server start with a message naming the variable and exit code 1', function () {
    this.timeout(30_000);
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { PATH: process.env.PATH, ...TEST_ENV, DATA_DIR: tempDir, PORT: 'not-a-port' },
      encoding: 'utf8',
      timeout: 25_000,
    });

    expect(result.status).to.equal(1);
    expect(result.stderr).to.include('PORT');
    expect(result.stderr).to.include('Invalid configuration');
  });
});
