import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';

// The only reader of process.env. Everything else receives the parsed, frozen Config.

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const secret = (minLength: number) => z.string().min(minLength, `must be at least ${minLength} characters`);

/** A 32-byte key given as 64 hex characters or as base64. */
const aes256Key = z.string().refine((value) => decodeKey(value)?.length === 32, 'must be 32 bytes as 64 hex characters or base64');

function decodeKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) return Buffer.from(value, 'base64');
  return undefined;
}

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  FERRETDB_BIN: z.string().min(1).optional(),
  FERRETDB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  JWT_SECRET: secret(32).optional(),
  JWT_REFRESH_SECRET: secret(32).optional(),
  JWT_ACCESS_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  JWT_REFRESH_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  PII_ENCRYPTION_KEY: aes256Key.optional(),
  PII_HMAC_KEY: secret(32).optional(),
  PII_KEY_VERSION: z.coerce.number().int().min(1).default(1),
  // Versioned keys for rotation, newest first: `v2:<64 hex>,v1:<64 hex>` (a secret; see piiKeysOf).
  PII_KEYS: z.string().optional().transform((value, ctx) => parsePiiKeys(value, ctx)),
  // Years after a deactivation's effective day that a senior's personal data is kept (pii-retention).
  PII_RETENTION_YEARS: z.coerce.number().int().min(1).max(30).default(3),
  TZ_BUSINESS: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  OFFER_TIMEOUT_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  EMERGENCY_OFFER_TIMEOUT_MINUTES: z.coerce.number().int().min(1).max(60).default(5),
  GEOFENCE_METERS: z.coerce.number().int().min(10).max(10_000).default(300),
  OFFLINE_SYNC_MAX_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  LATE_SYNC_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
  CLOCK_DRIFT_MINUTES: z.coerce.number().int().min(1).max(1_440).default(5),
  RECORD_UPLOAD_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(366).default(62),
  PAYMENT_DUE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  SECOND_APPROVAL_ABOVE_FEN: z.coerce.number().int().min(0).default(10_000_000),
  AUDIT_EXPORT_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
  // The audit chain's HMAC key, held outside the database (a secret: resolveSecrets), and its name on each link.
  AUDIT_HMAC_KEY: z.string().min(32).max(500).optional(),
  AUDIT_KEY_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/).default('k1'),
  SETTLEMENT_SAMPLE_PCT: z.coerce.number().int().min(0).max(100).default(5),
  // A secret: who knows it can tell which visits will be called back (resolveSecrets).
  SETTLEMENT_SAMPLE_SEED: z.string().min(24).max(200).optional(),
  SETTLEMENT_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  LATE_ARRIVAL_GRACE_MINUTES: z.coerce.number().int().min(0).max(1440).default(30),
  LATE_ARRIVAL_PENALTY_PCT: z.coerce.number().int().min(0).max(100).default(10),
  PROVIDER_CANCELLATION_PENALTY_PCT: z.coerce.number().int().min(0).max(100).default(20),
  ANNUAL_BUDGET_CITY_FEN: z.coerce.number().int().min(0).optional(),
  ANNUAL_BUDGET_DISTRICT_FEN: z.coerce.number().int().min(0).optional(),
  // The district's elderly-care service hotline, printed on senior cards and monthly letters (12349: the national 养老服务热线 number many cities use).
  SERVICE_HOTLINE: z.string().regex(/^\d{3,4}(-?\d{5,8})?$/, 'must be a hotline such as 12349 or 0551-12349').default('12349'),
  BOOTSTRAP_ADMIN_USERNAME: z.string().regex(/^[a-zA-Z0-9_.-]{3,64}$/, 'must be 3-64 letters, digits, _ . -').optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  SEED_DEMO: booleanFromEnv.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JSON_BODY_LIMIT_KB: z.coerce.number().int().min(1).max(10_240).default(1024),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  JOBS_ENABLED: booleanFromEnv.default(true),
  READ_TIME_LIMIT_MS: z.coerce.number().int().min(1).max(600_000).default(5_000),
  READY_MAX_QUERY_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  TRUST_PROXY: z.string().regex(/^(false|true|loopback|\d{1,2})$/, 'must be false, true, loopback or a hop count').default('false'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  JOB_SCHEDULES: z.string().optional().transform((value, ctx) => parseJobSchedules(value, ctx)),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(3).max(3_600).optional(),
  // SMS (notifications/sms): the log sender by default; a real provider only when named.
  SMS_PROVIDER: z.enum(['log', 'aliyun']).default('log'),
  SMS_ALIYUN_ENDPOINT: z.url({ protocol: /^https?$/ }).default('https://dysmsapi.aliyuncs.com/'),
  SMS_ALIYUN_REGION_ID: z.string().regex(/^[a-z0-9-]{2,40}$/, 'must be a region id such as cn-hangzhou').default('cn-hangzhou'),
  SMS_ALIYUN_ACCESS_KEY_ID: z.string().regex(/^[A-Za-z0-9]{8,64}$/, 'must be an AccessKey ID (letters and digits)').optional(),
  SMS_ALIYUN_ACCESS_KEY_SECRET: z.string().min(16).max(200).optional(),
  SMS_ALIYUN_SIGN_NAME: z.string().min(2).max(30).optional(),
  SMS_ALIYUN_TEMPLATE_CODES: z.string().optional().transform((value, ctx) => parseTemplateCodes(value, ctx)),
  SMS_WEBHOOK_TOKEN: z.string().min(32, 'must be at least 32 characters').max(200).regex(/^[A-Za-z0-9_-]+$/, 'must be URL-safe (letters, digits, _ and -)').optional(),
  SMS_ASK_SHARE_PCT: z.coerce.number().int().min(0).max(100).default(10),
  SMS_ANSWER_HOURS: z.coerce.number().int().min(1).max(720).default(48),
  SMS_QUIET_HOURS: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm-HH:mm, e.g. 21:00-08:00').default('21:00-08:00'),
});

/**
 * `v2:<key>,v1:<key>`: the PII encryption keys by version, newest first (the one new values are
 * written with); the others stay readable until they are removed from the list.
 */
function parsePiiKeys(value: string | undefined, ctx: z.RefinementCtx): { version: number; key: Buffer }[] {
  if (value === undefined) return [];
  const keys: { version: number; key: Buffer }[] = [];
  // Each message names the entry (its place and version) and never echoes a key.
  const refuse = (message: string) => {
    ctx.addIssue({ code: 'custom', message: `${message}; PII_KEYS is v<version>:<32-byte key as 64 hex or base64>, comma-separated, newest first` });
    return [];
  };
  const items = value.split(',').map((part) => part.trim());
  for (const [index, item] of items.entries()) {
    const place = `entry ${index + 1} of ${items.length}`;
    const colon = item.indexOf(':');
    if (colon < 0) return refuse(`${place} has no "v<version>:" in front of its key`);
    const label = item.slice(0, colon);
    const version = /^v([1-9]\d{0,5})$/.exec(label);
    if (!version) return refuse(`${place}: the version${/^[\w.-]{1,12}$/.test(label) ? ` "${label}"` : ''} is not v1 to v999999`);
    const key = decodeKey(item.slice(colon + 1));
    if (key?.length !== 32) return refuse(`${place} (${label}): the key is not 32 bytes as 64 hex characters or base64`);
    const twice = keys.find((known) => known.version === Number(version[1]));
    if (twice) return refuse(`${label} is listed twice`);
    const previous = keys.at(-1);
    if (previous && previous.version < Number(version[1])) return refuse(`v${previous.version} is listed before the newer ${label}: the newest key comes first`);
    keys.push({ version: Number(version[1]), key });
  }
  return keys;
}

/** `{"visit_question": "SMS_123456789"}`: the provider's approved template code of each SMS template. */
function parseTemplateCodes(value: string | undefined, ctx: z.RefinementCtx): Record<string, string> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of template name to template code' });
    return {};
  }
  const checked = z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.string().regex(/^SMS_\d{3,20}$/)).safeParse(parsed);
  if (!checked.success) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of template name (snake_case) to template code (SMS_ followed by digits)' });
    return {};
  }
  return checked.data;
}

/**
 * `{"settlement": "0 0 2 3 * *"}`: a job's cron expression (node-cron 4, seconds first, business
 * time zone) instead of its default — an operator moving the settlement day, or a test driving
 * ticks every few seconds. Job names are checked by the scheduler, which knows them.
 */
function parseJobSchedules(value: string | undefined, ctx: z.RefinementCtx): Record<string, string> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of job name to cron expression' });
    return {};
  }
  const shape = z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.string().refine((expression) => cron.validate(expression), 'must be a valid cron expression'));
  const checked = shape.safeParse(parsed);
  if (!checked.success) {
    ctx.addIssue({ code: 'custom', message: `must be a JSON object of job name to cron expression (${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})` });
    return {};
  }
  return checked.data;
}

type RawEnv = z.infer<typeof envSchema>;

export interface Config {
  env: RawEnv['NODE_ENV'];
  host: string;
  port: number;
  mongodbUri: string | undefined;
  dataDir: string;
  ferretdb: { binPath: string | undefined; port: number };
  jwt: { accessSecret: string; refreshSecret: string; accessTtlSeconds: number; refreshTtlDays: number; issuer: string; audience: string };
  /** The newest key writes; `readableKeys` (the newest included) read by the version a value names. */
  pii: { encryptionKey: Buffer; hmacKey: Buffer; keyVersion: number; readableKeys: ReadonlyMap<number, Buffer> };
  /** Whole years after a deactivation's effective day when the senior's personal data is erased. */
  piiRetentionYears: number;
  businessTimeZone: string;
  offerTimeoutMinutes: number;
  emergencyOfferTimeoutMinutes: number;
  geofenceM: number;
  /**
   * Visit records made on a phone without signal and sent later: accepted until `maxHours` after the
   * scheduled start, flagged late_sync when received more than `lateMinutes` after they were made,
   * clock_drift when the phone's time is more than `driftMinutes` ahead of the service's.
   */
  /** uploadMaxAgeDays: how old a visit a provider's upload may still bring (POST /service-records/imports). */
  visitRecords: { maxHours: number; lateMinutes: number; driftMinutes: number; uploadMaxAgeDays: number };
  paymentDueDays: number;
  /** A statement payable above this (fen) needs a second finance officer's signature (¥100,000 by default). */
  secondApprovalAboveFen: number;
  /** Most audit entries one CSV export writes (newest first); past it the file says it stopped. */
  auditExportMaxRows: number;
  /** The audit chain's key (audit.hash.ts): every new link is an HMAC under it. */
  auditKey: { id: string; secret: string };
  settlement: {
    /** Share of each draft's lines that get a verification callback before approval (percent). */
    samplePct: number;
    /** Seed of the sample: the same lines are picked on every re-run. */
    sampleSeed: string;
    /** Visits settled per batch (the progress record moves after each; a resumed run starts after the last). */
    batchSize: number;
    lateArrivalGraceMinutes: number;
    lateArrivalPenaltyPct: number;
    providerCancellationPenaltyPct: number;
  };
  /** The year's care-voucher budget per funding source in fen (reports compare spend with it); null: not configured. */
  annualBudget: { cityFen: number | null; districtFen: number | null };
  /** The district's service hotline (cards, monthly letters) where a community has no number of its own. */
  serviceHotline: string;
  bootstrapAdmin: { username: string; password: string } | undefined;
  seedDemo: boolean;
  logLevel: RawEnv['LOG_LEVEL'];
  jsonBodyLimitBytes: number;
  /** Most data rows an uploaded sheet (register, visit records, life events) may have: more is 413 before anything is written. */
  importMaxRows: number;
  jobsEnabled: boolean;
  /** How long an interactive read may run in the database before it is stopped (503 QUERY_TIMEOUT). */
  readTimeLimitMs: number;
  /** /readyz answers 503 when a real read by key takes longer than this (a ping would answer while queries queue). */
  readyMaxQueryMs: number;
  authRateLimitPerMinute: number;
  /** Express 'trust proxy': how the client IP for rate limits is found behind a reverse proxy. */
  trustProxy: boolean | string | number;
  shutdownTimeoutMs: number;
  /** Cron expressions that replace jobs' default schedules (JOB_SCHEDULES), by job name. */
  jobSchedules: Readonly<Record<string, string>>;
  /** One lease length for every job (JOB_LEASE_SECONDS), instead of each job's own; null: theirs. */
  jobLeaseMs: number | null;
  sms: SmsConfig;
}

/** How SMS leave the system (notifications/sms) and how seniors are asked about their visits. */
export interface SmsConfig {
  /** `log`: every SMS is a log line (the default); `aliyun`: Alibaba Cloud SMS (dysmsapi SendSms). */
  provider: 'log' | 'aliyun';
  aliyun: { endpoint: string; regionId: string; accessKeyId: string; accessKeySecret: string; signName: string; templateCodes: Readonly<Record<string, string>> } | null;
  /** The shared secret in the URLs the provider pushes receipts and replies to; null: every push is refused. */
  webhookToken: string | null;
  /** Share (percent) of each provider's finished visits whose senior is asked by SMS whether it happened. */
  askSharePct: number;
  /** How long an asked senior has to answer before the question falls to the community staff. */
  answerHours: number;
  /** No SMS to a senior or family between these minutes of the business day (start > end: across midnight). */
  quietHours: { startMinute: number; endMinute: number };
}

/** Reads `./.env` into process.env when present; variables already set win (Node's own rule). */
export function loadDotEnvFile(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Thrown when the environment is wrong; its message names every variable at fault. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_VARIABLES = ['JWT_SECRET', 'JWT_REFRESH_SECRET', 'PII_ENCRYPTION_KEY', 'PII_HMAC_KEY', 'SETTLEMENT_SAMPLE_SEED', 'AUDIT_HMAC_KEY'] as const;
type SecretVariable = (typeof SECRET_VARIABLES)[number];

/**
 * Parses the environment. Outside production, missing secrets are generated once and kept in
 * `<DATA_DIR>/dev-secrets.json` so that `npm start` works with no .env and a restart can still
 * decrypt what it wrote. In production a missing secret stops the start.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankAsMissing = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(blankAsMissing);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? '?'), message: issue.message })));
  }
  const raw = parsed.data;
  // Without a URI connectDatabase starts the embedded FerretDB: unauthenticated on a local port, one
  // machine, no replica set. In production that is an accident (a lost line in the unit file), not a choice.
  if (raw.NODE_ENV === 'production' && raw.MONGODB_URI === undefined) {
    throw new ConfigError([{
      variable: 'MONGODB_URI',
      message: 'is required when NODE_ENV=production: without it the service would start the embedded FerretDB, a development database (unauthenticated local port, one machine, no replica set); set the MongoDB replica set\'s URI (docs/production.md) — 生产环境必须设置 MONGODB_URI（MongoDB 副本集），不能使用内嵌的开发数据库',
    }]);
  }
  const dataDir = path.resolve(raw.DATA_DIR);
  const secrets = resolveSecrets(raw, dataDir);
  const hasBootstrapUser = raw.BOOTSTRAP_ADMIN_USERNAME !== undefined;
  if (hasBootstrapUser !== (raw.BOOTSTRAP_ADMIN_PASSWORD !== undefined)) {
    throw new ConfigError([{ variable: 'BOOTSTRAP_ADMIN_PASSWORD', message: 'BOOTSTRAP_ADMIN_USERNAME and BOOTSTRAP_ADMIN_PASSWORD are set together or not at all' }]);
  }

  return Object.freeze({
    env: raw.NODE_ENV,
    host: raw.HOST,
    port: raw.PORT,
    mongodbUri: raw.MONGODB_URI,
    dataDir,
    ferretdb: { binPath: raw.FERRETDB_BIN, port: raw.FERRETDB_PORT },
    jwt: {
      accessSecret: secrets.JWT_SECRET,
      refreshSecret: secrets.JWT_REFRESH_SECRET,
      accessTtlSeconds: raw.JWT_ACCESS_TTL_SECONDS,
      refreshTtlDays: raw.JWT_REFRESH_TTL_DAYS,
      issuer: 'starlight-care',
      audience: 'starlight-care-api',
    },
    pii: piiKeysOf(raw, secrets),
    piiRetentionYears: raw.PII_RETENTION_YEARS,
    businessTimeZone: raw.TZ_BUSINESS,
    offerTimeoutMinutes: raw.OFFER_TIMEOUT_MINUTES,
    emergencyOfferTimeoutMinutes: raw.EMERGENCY_OFFER_TIMEOUT_MINUTES,
    geofenceM: raw.GEOFENCE_METERS,
    visitRecords: { maxHours: raw.OFFLINE_SYNC_MAX_HOURS, lateMinutes: raw.LATE_SYNC_MINUTES, driftMinutes: raw.CLOCK_DRIFT_MINUTES, uploadMaxAgeDays: raw.RECORD_UPLOAD_MAX_AGE_DAYS },
    paymentDueDays: raw.PAYMENT_DUE_DAYS,
    secondApprovalAboveFen: raw.SECOND_APPROVAL_ABOVE_FEN,
    auditExportMaxRows: raw.AUDIT_EXPORT_MAX_ROWS,
    auditKey: { id: raw.AUDIT_KEY_ID, secret: secrets.AUDIT_HMAC_KEY },
    settlement: {
      samplePct: raw.SETTLEMENT_SAMPLE_PCT,
      sampleSeed: secrets.SETTLEMENT_SAMPLE_SEED,
      batchSize: raw.SETTLEMENT_BATCH_SIZE,
      lateArrivalGraceMinutes: raw.LATE_ARRIVAL_GRACE_MINUTES,
      lateArrivalPenaltyPct: raw.LATE_ARRIVAL_PENALTY_PCT,
      providerCancellationPenaltyPct: raw.PROVIDER_CANCELLATION_PENALTY_PCT,
    },
    annualBudget: { cityFen: raw.ANNUAL_BUDGET_CITY_FEN ?? null, districtFen: raw.ANNUAL_BUDGET_DISTRICT_FEN ?? null },
    serviceHotline: raw.SERVICE_HOTLINE,
    bootstrapAdmin: hasBootstrapUser ? { username: raw.BOOTSTRAP_ADMIN_USERNAME as string, password: raw.BOOTSTRAP_ADMIN_PASSWORD as string } : undefined,
    seedDemo: raw.SEED_DEMO ?? raw.NODE_ENV === 'development',
    logLevel: raw.LOG_LEVEL,
    jsonBodyLimitBytes: raw.JSON_BODY_LIMIT_KB * 1024,
    importMaxRows: raw.IMPORT_MAX_ROWS,
    jobsEnabled: raw.JOBS_ENABLED,
    readTimeLimitMs: raw.READ_TIME_LIMIT_MS,
    readyMaxQueryMs: raw.READY_MAX_QUERY_MS,
    authRateLimitPerMinute: raw.AUTH_RATE_LIMIT_PER_MINUTE,
    trustProxy: raw.TRUST_PROXY === 'true' ? true : raw.TRUST_PROXY === 'false' ? false : /^\d+$/.test(raw.TRUST_PROXY) ? Number(raw.TRUST_PROXY) : raw.TRUST_PROXY,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    jobSchedules: Object.freeze(raw.JOB_SCHEDULES),
    jobLeaseMs: raw.JOB_LEASE_SECONDS === undefined ? null : raw.JOB_LEASE_SECONDS * 1000,
    sms: smsConfigOf(raw),
  });
}

/**
 * PII_KEYS when set (newest first); PII_ENCRYPTION_KEY as version PII_KEY_VERSION otherwise — and,
 * set beside PII_KEYS, still readable (the first step of a rotation from the single key: add
 * PII_KEYS=v2:… in front, re-encrypt, then drop PII_ENCRYPTION_KEY).
 */
function piiKeysOf(raw: RawEnv, secrets: Record<SecretVariable, string>): Config['pii'] {
  const hmacKey = Buffer.from(secrets.PII_HMAC_KEY, 'utf8');
  const listed = raw.PII_KEYS;
  if (listed.length === 0) {
    const key = decodeKey(secrets.PII_ENCRYPTION_KEY) as Buffer;
    return { encryptionKey: key, hmacKey, keyVersion: raw.PII_KEY_VERSION, readableKeys: new Map([[raw.PII_KEY_VERSION, key]]) };
  }
  const readableKeys = new Map(listed.map((entry) => [entry.version, entry.key]));
  if (raw.PII_ENCRYPTION_KEY !== undefined) {
    const legacy = decodeKey(raw.PII_ENCRYPTION_KEY) as Buffer;
    const same = readableKeys.get(raw.PII_KEY_VERSION);
    if (same && !same.equals(legacy)) throw new ConfigError([{ variable: 'PII_ENCRYPTION_KEY', message: `is version v${raw.PII_KEY_VERSION} (PII_KEY_VERSION), which PII_KEYS lists with another key` }]);
    readableKeys.set(raw.PII_KEY_VERSION, legacy);
  }
  const newest = listed[0] as { version: number; key: Buffer };
  if (raw.PII_ENCRYPTION_KEY !== undefined && raw.PII_KEY_VERSION > newest.version) {
    throw new ConfigError([{ variable: 'PII_KEYS', message: `its newest key v${newest.version} is older than PII_ENCRYPTION_KEY's v${raw.PII_KEY_VERSION}` }]);
  }
  return { encryptionKey: newest.key, hmacKey, keyVersion: newest.version, readableKeys };
}

function smsConfigOf(raw: RawEnv): SmsConfig {
  const minuteOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  const [quietStart, quietEnd] = raw.SMS_QUIET_HOURS.split('-') as [string, string];
  const common = {
    webhookToken: raw.SMS_WEBHOOK_TOKEN ?? null, askSharePct: raw.SMS_ASK_SHARE_PCT, answerHours: raw.SMS_ANSWER_HOURS,
    quietHours: { startMinute: minuteOf(quietStart), endMinute: minuteOf(quietEnd) },
  };
  if (raw.SMS_PROVIDER === 'log') return Object.freeze({ provider: 'log', aliyun: null, ...common });
  // A real provider without its credentials, sign or push secret would fail every send or refuse every receipt: stop at start instead.
  const required = ['SMS_ALIYUN_ACCESS_KEY_ID', 'SMS_ALIYUN_ACCESS_KEY_SECRET', 'SMS_ALIYUN_SIGN_NAME', 'SMS_WEBHOOK_TOKEN'] as const;
  const missing: string[] = required.filter((name) => raw[name] === undefined);
  if (Object.keys(raw.SMS_ALIYUN_TEMPLATE_CODES).length === 0) missing.push('SMS_ALIYUN_TEMPLATE_CODES');
  if (missing.length > 0) throw new ConfigError(missing.map((variable) => ({ variable, message: 'is required when SMS_PROVIDER=aliyun' })));
  return Object.freeze({
    provider: 'aliyun',
    aliyun: Object.freeze({
      endpoint: raw.SMS_ALIYUN_ENDPOINT, regionId: raw.SMS_ALIYUN_REGION_ID, accessKeyId: raw.SMS_ALIYUN_ACCESS_KEY_ID as string,
      accessKeySecret: raw.SMS_ALIYUN_ACCESS_KEY_SECRET as string, signName: raw.SMS_ALIYUN_SIGN_NAME as string, templateCodes: Object.freeze(raw.SMS_ALIYUN_TEMPLATE_CODES),
    }),
    ...common,
  });
}

function resolveSecrets(raw: RawEnv, dataDir: string): Record<SecretVariable, string> {
  // With PII_KEYS the single key is optional (kept only while a rotation from it is under way).
  const missing = SECRET_VARIABLES.filter((name) => raw[name] === undefined && !(name === 'PII_ENCRYPTION_KEY' && raw.PII_KEYS.length > 0));
  if (missing.length === 0) return pickSecrets(raw);
  if (raw.NODE_ENV === 'production') {
    throw new ConfigError(missing.map((variable) => ({ variable, message: 'is required when NODE_ENV=production' })));
  }
  const stored = readOrCreateDevSecrets(dataDir);
  return { ...stored, ...Object.fromEntries(SECRET_VARIABLES.filter((n) => raw[n] !== undefined).map((n) => [n, raw[n] as string])) };
}

function pickSecrets(raw: RawEnv): Record<SecretVariable, string> {
  return Object.fromEntries(SECRET_VARIABLES.map((name) => [name, raw[name] as string])) as Record<SecretVariable, string>;
}

/**
 * The development secrets of a data folder: generated once, kept, and completed when a newer
 * version needs one the file does not have yet (the sample seed joined the others later).
 */
function readOrCreateDevSecrets(dataDir: string): Record<SecretVariable, string> {
  const file = path.join(dataDir, 'dev-secrets.json');
  const stored = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<SecretVariable, string>> : {};
  if (SECRET_VARIABLES.every((name) => stored[name] !== undefined)) return stored as Record<SecretVariable, string>;
  mkdirSync(dataDir, { recursive: true });
  const completed = Object.fromEntries(SECRET_VARIABLES.map((name) => [name, stored[name] ?? randomBytes(32).toString('hex')])) as Record<SecretVariable, string>;
  writeFileSync(file, JSON.stringify(completed, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return completed;
}
