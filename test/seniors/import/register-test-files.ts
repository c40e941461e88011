import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import { readRegisterRows, type RegisterRow } from '../../../src/seniors/import/register-file.ts';
import { DomainError } from '../../../src/shared/errors.ts';

/** The sample registers of ../shared/fixtures, copied byte for byte into the repository. */
export const fixturePath = (name: 'zh' | 'en' | 'gbk'): string =>
  fileURLToPath(new URL(`../../fixtures/seniors-register-${name}.csv`, import.meta.url));

export const ZH_HEADER = '姓名,身份证号,联系电话,住址,社区编码,类别,照护等级,居住情况,紧急联系人,紧急联系电话';
export const EN_HEADER = 'name,idNumber,phone,address,communityCode,categories,careLevel,livingArrangement,emergencyContactName,emergencyContactPhone';

/** A temp folder for the enclosing describe, removed afterwards; `file()` writes into it. */
export function useTempFiles(): { file: (name: string, content: string | Uint8Array) => Promise<string>; dir: () => string } {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'register-file-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    file: async (name, content) => {
      const filePath = path.join(dir, name);
      await writeFile(filePath, content);
      return filePath;
    },
  };
}

export async function readAll(filePath: string, originalName = path.basename(filePath)): Promise<RegisterRow[]> {
  const rows: RegisterRow[] = [];
  for await (const row of readRegisterRows({ path: filePath, originalName })) rows.push(row);
  return rows;
}

/** Reads the file expecting the whole-file 400 on `file`; returns the error for further checks. */
export async function expectFileError(filePath: string, pattern: RegExp, originalName?: string): Promise<DomainError> {
  let caught: unknown;
  try {
    await readAll(filePath, originalName);
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a DomainError').to.be.instanceOf(DomainError);
  const error = caught as DomainError;
  expect(error.code).to.equal('VALIDATION_FAILED');
  expect(error.details).to.have.length(1);
  expect(error.details[0]?.path).to.equal('file');
  expect(error.messageOverride?.zh).to.be.a('string').and.not.equal('');
  expect(error.messageOverride?.en).to.match(pattern);
  return error;
}

/** One file of zipOf: its text, deflated or stored, and optionally a false uncompressed size in its headers. */
export type ZipEntry = string | { content: string | Buffer; deflate?: boolean; declaredSize?: number };

/** A minimal zip holding the given files (stored unless said otherwise). */
export function zipOf(files: Record<string, ZipEntry>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, entry] of Object.entries(files)) {
    const { content, deflate = false, declaredSize } = typeof entry === 'string' ? { content: entry } : entry;
    const nameBytes = Buffer.from(name);
    const raw = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const body = deflate ? deflateRawSync(raw) : raw;
    const crc = crc32(raw);
    const inflated = declaredSize ?? raw.length;
    const method = deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(inflated, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(inflated, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, body);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
