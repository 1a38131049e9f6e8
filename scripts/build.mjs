// Bundles the server and the CLI into dist/ with esbuild (about 2 s), so they start without compiling
// TypeScript on every run, and builds the console with Vite into dist/console when its sources changed (a
// content hash of console/ and the lockfile is kept beside the build). Writes atomically: concurrent builds never
// see half a file.
//
// The dependencies are bundled too: Node resolving, reading and compiling the files of node_modules one by one
// (about 1,400 of them) took about half of the time from start to the first request. Native addons and the build
// tools stay external and load from node_modules as before, and so do zxcvbn's password dictionaries (1.7 MB of
// compressed word lists), which src/signin/passwords.ts imports only when the first new password is judged.
import { createHash } from 'node:crypto';
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
    external: ['better-sqlite3', 'argon2', 'pg-native', 'esbuild', 'vite', '@vitejs/plugin-react', 'tsx', '@zxcvbn-ts/*'],
    // Bundled CommonJS modules call require() for Node's own modules, and some read __dirname; an ES module has
    // neither, so each bundle defines them for itself.
    banner: {
      js: [
        "import { createRequire as __carillonCreateRequire } from 'node:module';",
        "import { fileURLToPath as __carillonFileURLToPath } from 'node:url';",
        "import { dirname as __carillonDirname } from 'node:path';",
        'const require = __carillonCreateRequire(import.meta.url);',
        'const __filename = __carillonFileURLToPath(import.meta.url);',
        'const __dirname = __carillonDirname(__filename);',
      ].join(' '),
    },
    sourcemap: 'linked',
    // Stack traces name the original files, which are in the checkout; the map need not carry their text.
    sourcesContent: false,
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

function sourceHash() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(path.relative(root, full)).update('\0').update(fs.readFileSync(full)).update('\0');
    }
  };
  walk(path.join(root, 'console'));
  hash.update(fs.readFileSync(path.join(root, 'package-lock.json')));
  return hash.digest('hex');
}

/** Builds the console unless dist/console already holds a build of these exact sources. */
export async function buildConsole({ log = console.log } = {}) {
  const outDir = path.join(root, 'dist', 'console');
  const stamp = path.join(outDir, '.source-hash');
  const wanted = sourceHash();
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return false;
  log('Building the console (Vite)...');
  const started = Date.now();
  const { build: viteBuild } = await import('vite');
  // Build beside the live copy, then swap, so a running server never serves half a build.
  const staging = `${outDir}.${process.pid}.tmp`;
  await viteBuild({ configFile: path.join(root, 'console', 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  fs.writeFileSync(path.join(staging, '.source-hash'), wanted);
  const old = `${outDir}.${process.pid}.old`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
  fs.renameSync(staging, outDir);
  fs.rmSync(old, { recursive: true, force: true });
  log(`Console built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return true;
}

if (process.argv[1] === import.meta.filename) {
  build();
  if (!process.argv.includes('--server-only')) await buildConsole();
}
