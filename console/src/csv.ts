// CSV exports made in the browser from the API's pages: every page of the current filter up to a cap, written as
// RFC 4180 text and handed to the browser as a download.

export interface CsvColumn<T> {
  header: string;
  value: (item: T) => string | number | boolean | undefined | null;
}

/** A page of a NextToken list, as a list operation answers. */
export interface ListPage<T> {
  items: T[];
  nextToken: string | undefined;
}

export interface Collected<T> {
  items: T[];
  /** More items match than the cap allowed; `items` holds the first `cap` of them, in the list's order. */
  capped: boolean;
}

/**
 * Reads every page of a list, in order, until it ends or `cap` items are read. `onProgress` reports the count so
 * far, for a long export to show that it is moving.
 */
export async function collectPages<T>(
  fetchPage: (nextToken: string | undefined) => Promise<ListPage<T>>,
  cap: number,
  onProgress?: (count: number) => void,
): Promise<Collected<T>> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fetchPage(nextToken);
    items.push(...page.items);
    nextToken = page.nextToken;
    onProgress?.(items.length);
  } while (nextToken !== undefined && items.length < cap);
  return { items: items.slice(0, cap), capped: items.length > cap || nextToken !== undefined };
}

/** A cell as RFC 4180 writes it, neutralized against formula injection (OWASP: a leading =, +, -, @, tab or CR). */
function cell(value: string | number | boolean | undefined | null): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv<T>(items: readonly T[], columns: readonly CsvColumn<T>[]): string {
  const lines = [columns.map((c) => cell(c.header)).join(','), ...items.map((item) => columns.map((c) => cell(c.value(item))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Offers the text as a file download; the byte-order mark makes spreadsheet programs read it as UTF-8. */
export function downloadCsv(filename: string, csv: string): void {
  const url = URL.createObjectURL(new Blob(['\uFEFF', csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started the download by the time click() returns; the URL may go once it has read the blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file name for an export: `carillon-<what>-2026-12-04T21-04-42Z.csv`. */
export const exportFileName = (what: string, now = new Date()) => `carillon-${what}-${now.toISOString().slice(0, 19).replaceAll(':', '-')}Z.csv`;
