// Helpers the CLI commands share: reading flags and arguments, and printing tables.
import type { CliCommand, CliFlags } from '../platform/module.js';
import type { Actor } from '../platform/types.js';

/** A mistake in the command line: exit code 2 and the usage hint. */
export class UsageError extends Error {}

export const cliActor = (): Actor => ({ type: 'cli', id: process.env.USER ?? process.env.LOGNAME ?? 'cli' });

export function stringFlag(flags: CliFlags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function requiredFlag(flags: CliFlags, name: string, what: string): string {
  const v = stringFlag(flags, name);
  if (!v || v.trim() === '') throw new UsageError(`--${name} ${what} is required`);
  return v;
}

export function limitFlag(flags: CliFlags, fallback: number): number {
  const raw = stringFlag(flags, 'limit');
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new UsageError('--limit must be an integer from 1 to 100000');
  return n;
}

export function isoFlag(flags: CliFlags, name: string): string | undefined {
  const raw = stringFlag(flags, name);
  if (raw === undefined) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new UsageError(`--${name} must be a date or date-time, e.g. 2026-11-28 or 2026-11-28T10:00:00Z`);
  return new Date(t).toISOString();
}

export function noArgs(args: string[]): void {
  if (args.length > 0) throw new UsageError(`unexpected argument ${args[0]}`);
}

export function oneArg(args: string[], what: string): string {
  if (args.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return args[0]!;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Commands written as a table of name → run, with each one's usage line. */
export function commandsFrom(runs: Record<string, CliCommand['run']>, usage: Record<string, string>): CliCommand[] {
  return Object.entries(runs).map(([name, run]) => ({ name, run, usage: usage[name] ?? name }));
}
