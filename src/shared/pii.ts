import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config/env.ts';

/**
 * Personal data at rest (PRODUCT.md §5): AES-256-GCM with a random 12-byte IV per value, stored as
 * `v<keyVersion>:<iv>:<tag>:<ciphertext>` (base64url), so a value names the key that wrote it.
 * New values are written with the newest key (`encryptionKey`, `keyVersion`); a value is read with
 * the key of its own version, from `readableKeys` (PII_KEYS lists them, newest first) — so a key
 * rotation is: add the new key in front, re-encrypt (the pii-rekey job), then retire the old one.
 * Exact lookups and uniqueness use a keyed HMAC instead of the plaintext (not rotated: see README).
 */
export interface PiiKeys {
  encryptionKey: Buffer;
  hmacKey: Buffer;
  keyVersion: number;
  /** Every key a stored value may be read with, by version, the newest included; absent: only the newest. */
  readableKeys?: ReadonlyMap<number, Buffer>;
}

/** The key version a stored value was written with (`v2:…` → 2), or null if it is not one. */
export function piiKeyVersionOf(stored: string): number | null {
  const match = /^v(\d+):/.exec(stored);
  return match ? Number(match[1]) : null;
}

/** Whether a stored value was written with an older key than the newest (the pii-rekey job's question). */
export const isOnOlderKey = (keys: PiiKeys, stored: string): boolean => piiKeyVersionOf(stored) !== keys.keyVersion;

/** The value re-encrypted with the newest key (a fresh IV), or the same string when it is already on it. */
export function reencryptPii(keys: PiiKeys, stored: string): string {
  return isOnOlderKey(keys, stored) ? encryptPii(keys, decryptPii(keys, stored)) : stored;
}

export const piiKeysOf = (config: Config): PiiKeys => config.pii;

export function encryptPii(keys: PiiKeys, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.encryptionKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v' + keys.keyVersion, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
}

export function decryptPii(keys: PiiKeys, stored: string): string {
  const [version, iv, tag, ciphertext] = stored.split(':');
  if (!version || !iv || !tag || ciphertext === undefined) throw new Error('not an encrypted PII value');
  const key = keyFor(keys, version);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

function keyFor(keys: PiiKeys, version: string): Buffer {
  const number = /^v\d+$/.test(version) ? Number(version.slice(1)) : NaN;
  const key = number === keys.keyVersion ? keys.encryptionKey : keys.readableKeys?.get(number);
  // Names the version only: a retired key is an operator's configuration fault, not the data's.
  if (!key) throw new Error(`PII value written with key ${version}, which is not among the configured keys (newest v${keys.keyVersion})`);
  return key;
}

/** Deterministic keyed hash for uniqueness and exact search; the input is normalised first. */
export function hmacPii(keys: PiiKeys, value: string): string {
  return createHmac('sha256', keys.hmacKey).update(value.trim().toUpperCase()).digest('hex');
}

/** 330102********1234: the region code and the last four stay readable. */
export function maskIdNumber(idNumber: string): string {
  return idNumber.length < 10 ? '*'.repeat(idNumber.length) : `${idNumber.slice(0, 6)}${'*'.repeat(idNumber.length - 10)}${idNumber.slice(-4)}`;
}

/**
 * 王*珍: a name in a file that leaves the system (statement exports) keeps its first and last
 * characters, enough for the provider to recognise the senior, not enough to identify a stranger;
 * two characters keep the first (王*). Names in Latin letters are masked the same way, by character.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.length === 0 ? '' : '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

/** What stands where erased personal data was (the retention job): not a ciphertext, not a mask, so no reader mistakes it for one. */
export const ERASED = '已删除';

/** 138****5678 for mobiles; landlines keep the area code and the last four. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  const areaLength = digits.startsWith('01') || digits.startsWith('02') ? 3 : 4;
  return `${digits.slice(0, areaLength)}-${'*'.repeat(Math.max(0, digits.length - areaLength - 4))}${digits.slice(-4)}`;
}

/** Mainland mobile (11 digits, 1[3-9]…) or a landline with its area code (0xx-xxxxxxx[x]). */
export const PHONE_PATTERN = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
