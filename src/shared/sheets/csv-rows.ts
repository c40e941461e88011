import { createReadStream } from 'node:fs';
import { pipeline, type Transform } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { sheetFileError } from './sheet-file-error.ts';

const MAX_RECORD_CHARACTERS = 64 * 1024;

/** One row of the sheet: its 1-based row number and its cells, trimmed. */
export interface SheetRow {
  row: number;
  cells: string[];
}

/**
 * Streams the records of a CSV file. The row number counts every record, blank lines included,
 * so it is the row Excel shows when the same file is opened there (a quoted field spanning two
 * lines is still one row).
 */
export async function* readCsvRows(path: string, encoding: 'utf8' | 'gb18030'): AsyncGenerator<SheetRow> {
  const parser = parse({
    bom: true,
    // Blank lines come through as one empty field and are skipped by the caller, still counted.
    relax_column_count: true,
    // A stray quote inside an unquoted field ("3号楼"A"座") is kept as text rather than fatal.
    relax_quotes: true,
    // A register row is well under 1 KB. An unclosed quote would otherwise turn the rest of the
    // file into one field held in memory; this stops it at the first oversized record.
    max_record_size: MAX_RECORD_CHARACTERS,
  });
  const stages: (NodeJS.ReadableStream | Transform)[] = [createReadStream(path)];
  if (encoding === 'gb18030') stages.push(iconv.decodeStream('gb18030') as unknown as Transform);
  // Errors reach the loop below through the parser; an early return destroys every stage.
  pipeline([...stages, parser], () => undefined);

  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row += 1;
      yield { row, cells: record.map((cell) => cell.trim()) };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      // The record that failed starts at the next row: where an unclosed quote was opened.
      throw sheetFileError(
        `CSV 格式错误：第 ${row + 1} 行起引号未配对，或该行超过 ${MAX_RECORD_CHARACTERS} 个字符`,
        `The CSV file is malformed from row ${row + 1} on (${error.code}): an unclosed quote, or a row longer than ${MAX_RECORD_CHARACTERS} characters`,
      );
    }
    throw error;
  }
}
