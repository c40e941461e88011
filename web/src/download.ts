/** Hands a file to the browser's download (exports from the API, reports made in the page). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** CSV with a BOM, so Excel on a district office PC opens the Chinese text as UTF-8. */
export function csvBlob(rows: (string | number)[][]): Blob {
  const escape = (cell: string | number) => {
    const text = String(cell);
    return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return new Blob([`\uFEFF${rows.map((row) => row.map(escape).join(',')).join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
}
