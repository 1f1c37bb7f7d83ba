/**
 * Small CSV tables (ben-ge meta, fractions, ERA-5, splits; chip labels) read with csv-parse. A malformed row never
 * sinks the table: it is reported as a `DataProblem` naming the file, the line and the reason, and skipped.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { DataProblem } from './problems';
import { DataFileError } from './problems';

export interface CsvTable {
  file: string;
  header: string[];
  rows: { line: number; values: Record<string, string> }[];
}

/**
 * Reads a CSV with a header row. `headerless: true` reads one-column files (split lists) whose first line may or
 * may not be a header: the values come back under the column name `value`.
 */
export function readCsvTable(file: string, problems: DataProblem[], options: { headerless?: boolean } = {}): CsvTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(file, code === 'ENOENT' ? 'file not found' : `cannot read file (${code})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM from spreadsheet exports
  const records: { line: number; values: string[] }[] = [];
  try {
    const parsed = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        problems.push({ severity: 'warning', file, reason: `row skipped: ${err?.message ?? 'unparsable row'}` });
        return undefined;
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
    for (const r of parsed) records.push({ line: r.info.lines, values: r.record });
  } catch (err) {
    throw new DataFileError(file, `not a readable CSV (${err instanceof Error ? err.message : String(err)})`);
  }
  if (options.headerless) {
    return { file, header: ['value'], rows: records.filter((r) => r.values[0] !== '').map((r) => ({ line: r.line, values: { value: r.values[0] } })) };
  }
  if (records.length === 0) throw new DataFileError(file, 'empty CSV (no header row)');
  const header = records[0].values.map((h) => h.trim());
  const rows: CsvTable['rows'] = [];
  for (const r of records.slice(1)) {
    if (r.values.length !== header.length) {
      problems.push({
        severity: 'warning',
        file,
        reason: `line ${r.line}: ${r.values.length} fields, expected ${header.length} (${header.join(',')}); row skipped`,
      });
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      values[h] = r.values[i];
    });
    rows.push({ line: r.line, values });
  }
  return { file, header, rows };
}

/**
 * A numeric field: undefined when empty or absent; a `DataProblem` (and undefined) when not a number. `NaN` and
 * `nan` are accepted as "missing" the way pandas writes them.
 */
export function numberField(table: CsvTable, row: CsvTable['rows'][number], column: string, problems: DataProblem[]): number | undefined {
  const raw = row.values[column];
  if (raw === undefined || raw === '' || /^nan$/i.test(raw)) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v)) {
    problems.push({ severity: 'warning', file: table.file, reason: `line ${row.line}: column ${column}: '${raw}' is not a number` });
    return undefined;
  }
  return v;
}

/** Normalises a column or class name for tolerant matching ("Built-up" ~ "built_up" ~ "built-up"). */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '');
}
