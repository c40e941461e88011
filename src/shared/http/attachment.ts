import type { Response } from 'express';

/**
 * Content-Disposition of a download (RFC 6266): the real name, Chinese included, as RFC 5987
 * `filename*=UTF-8''…`, which every current browser prefers, and an ASCII `filename` beside it for
 * clients that read only that (a plain `filename="结算单….xlsx"` reaches most of them garbled).
 */
export function attachmentDisposition(fileName: string, asciiFallback: string): string {
  const ascii = asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}

/** Percent-encodes all but RFC 5987's attr-char (encodeURIComponent leaves ' ( ) * as they are). */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An empty sheet to fill in for an import: its Chinese headings as CSV, UTF-8 with a BOM (Excel opens it right). */
export function sendHeaderTemplate(res: Response, headings: readonly string[], fileName: string, asciiFallback: string): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', attachmentDisposition(fileName, asciiFallback));
  res.end(`\uFEFF${headings.join(',')}\r\n`);
}
