import { createHash, createHmac } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  seq: number;
  at: Date;
  actorId: string;
  actorRole: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  /** The key the link was made with; absent on the links made before the chain was keyed. */
  keyId?: string;
}

/** The chain's key: held outside the database (AUDIT_HMAC_KEY), named on every link it makes. */
export interface AuditKey { id: string; secret: string }

/**
 * The link over the previous one and a canonical (key-sorted) JSON of the entry's fields. Keyed,
 * an HMAC: someone with write access to the database but not the key can edit an entry but not
 * make links that verify, so re-hashing the chain to the tip no longer hides an edit. The links
 * made before the key (no keyId) stay plain sha256; the first keyed link covers their tip.
 */
export function hashEntry(prevHash: string, fields: ChainedFields, key?: AuditKey): string {
  const canonical = canonicalJson({ ...fields, at: fields.at.toISOString() });
  const digest = key ? createHmac('sha256', key.secret) : createHash('sha256');
  return digest.update(prevHash).update('\n').update(canonical).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
