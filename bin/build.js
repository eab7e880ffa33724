// Bundles src/ into dist/ with esbuild and records a digest of the sources that were bundled, so
// the launcher can tell a current build from a stale one by content (not by file times, which
// copies and checkouts do not keep reliably). One bundle (the project and the libraries it runs
// on) loads several times faster than some 160 compiled modules plus the libraries' own hundreds:
// start-up is mostly module loading. Type-checking is `npm run typecheck`, not the build.
//   node bin/build.js          build (incrementally) and record the digest: `npm run build`
//   import { ensureBuilt }     build only when the recorded digest differs from the sources'
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const DIGEST_FILE = path.join(DIST, '.source-digest');
const LOCK = path.join(ROOT, '.build-lock');
/** Besides every .ts file under src/, what decides the output. */
const CONFIG_FILES = ['package-lock.json', 'bin/build.js'];
/**
 * Left out of the bundle and loaded from node_modules: the native SQLite driver, the PostgreSQL
 * driver (loaded only for a PostgreSQL store), and pino, whose transports load files by path.
 */
const EXTERNAL = ['better-sqlite3', 'pg', 'pino'];

export const ENTRY = pathToFileURL(path.join(DIST, 'main.js')).href;

function sourceFiles(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** SHA-256 over the path and content of every input, in a fixed order (a few ms). */
export function sourceDigest() {
  const h = createHash('sha256');
  const files = [...CONFIG_FILES.map((f) => path.join(ROOT, f)), ...sourceFiles(path.join(ROOT, 'src')).sort()];
  for (const f of files) h.update(path.relative(ROOT, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return h.digest('hex');
}

function recordedDigest() {
  try {
    return fs.readFileSync(DIGEST_FILE, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isCurrent(digest) {
  return recordedDigest() === digest && fs.existsSync(path.join(DIST, 'main.js'));
}

const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Whether the process that took the lock is gone (it crashed or was killed mid-build). */
function lockAbandoned() {
  try {
    const pid = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (err) {
    if (err.code === 'ESRCH') return true;
    // No pid written yet (just taken) or unreadable: only a very old lock counts as abandoned.
    try {
      return Date.now() - fs.statSync(LOCK).mtimeMs > 10 * 60_000;
    } catch {
      return false; // released meanwhile
    }
  }
}

/** One build at a time across processes: a lock directory holding the builder's pid. */
function withLock(fn) {
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (lockAbandoned()) fs.rmSync(LOCK, { recursive: true, force: true });
      else pause(100);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Bundles src/main.ts and what it imports into dist/, recording the digest of those sources. */
function compile(digest) {
  let esbuild;
  try {
    esbuild = createRequire(import.meta.url)('esbuild');
  } catch {
    throw new Error('esbuild is not installed, so src/ cannot be built (npm ci installs it)');
  }
  // No digest while dist/ is being rewritten: an interrupted build is never taken for a current one.
  fs.rmSync(DIST, { recursive: true, force: true });
  try {
    esbuild.buildSync({
      absWorkingDir: ROOT,
      entryPoints: ['src/main.ts'],
      outdir: 'dist',
      bundle: true,
      splitting: true, // what is imported lazily (tls init, jose, yaml) stays out of the start
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      // Bundled CommonJS libraries call require() for Node's own modules.
      banner: { js: "import { createRequire as __astrolabeRequire } from 'node:module'; const require = __astrolabeRequire(import.meta.url);" },
      // Problems go to stderr, so commands that print JSON keep stdout clean.
      logLevel: 'warning',
    });
  } catch {
    throw new Error('the build failed; see the errors above');
  }
  fs.writeFileSync(DIGEST_FILE, digest + '\n');
}

/** Builds dist/ unless it was built from exactly the current sources. */
export function ensureBuilt() {
  if (isCurrent(sourceDigest())) return;
  withLock(() => {
    const digest = sourceDigest(); // again: another process may have built meanwhile
    if (isCurrent(digest)) return;
    process.stderr.write('astrolabe: src/ changed since the last build; compiling to dist/ …\n');
    compile(digest);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    withLock(() => compile(sourceDigest()));
  } catch (err) {
    process.stderr.write(`build: ${err.message}\n`);
    process.exit(1);
  }
}
