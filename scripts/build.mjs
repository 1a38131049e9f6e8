// Bundles the server and the CLI into dist/ with esbuild (about 0.2 s), so they start without compiling
// TypeScript on every run. Dependencies stay external. Writes atomically: concurrent builds never see half a file.
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');

export function build() {
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: { server: 'src/main.ts', cli: 'src/cli/main.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    outdir: 'dist',
    write: false,
    logLevel: 'error',
  });
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, file.contents);
    fs.renameSync(tmp, file.path);
  }
}

if (process.argv[1] === import.meta.filename) build();
