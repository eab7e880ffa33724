#!/usr/bin/env node
// The `astrolabe` command (and `npm start`): runs the compiled JavaScript in dist/, first
// compiling src/ when it changed since the last build (see bin/build.js), so dist/ is never stale.
import { ENTRY, ensureBuilt } from './build.js';

try {
  ensureBuilt();
} catch (err) {
  process.stderr.write(`astrolabe: ${err.message}\n`);
  process.exit(1);
}
await import(ENTRY);
