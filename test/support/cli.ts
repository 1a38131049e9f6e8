// Runs the `carillon` command (bin/carillon.mjs) as a real subprocess against a test server's data.
import { execFile } from 'node:child_process';
import path from 'node:path';

export type CliRun = { code: number; stdout: string; stderr: string };

const root = path.resolve(import.meta.dirname, '../..');

/** The CLI sees exactly the server's configuration, and nothing inherited that could point elsewhere. */
export function cliEnvironment(serverEnv: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !['DATABASE_URL', 'SMTP_URL', 'PORT', 'HOST'].includes(k) && !k.startsWith('CARILLON_')),
  );
  return { ...inherited, ...serverEnv };
}

/** Runs `carillon ...args`; resolves with the exit code and output whatever the code (rejects only if it cannot run). */
export function runCarillon(serverEnv: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['bin/carillon.mjs', ...args], { cwd: root, env: cliEnvironment(serverEnv), timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}
