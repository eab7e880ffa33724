#!/usr/bin/env node
// Part of `npm run lint`: refuses import cycles in src/, counting `import type` and dynamic imports.
// ESLint's import-x/no-cycle skips type-only imports, so a cycle closed by one passes it unseen;
// such a cycle still ties the modules' meaning together, and the next value import makes it real.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The file a relative specifier names: the project writes `./x.js` for `./x.ts`. */
function resolve(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  return [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
}

const files = sources(src);
const edges = new Map(files.map((f) => {
  // preProcessFile lists every import and export specifier, type-only and dynamic ones included.
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(f, 'utf8'), true, true);
  return [f, [...new Set(importedFiles.map((i) => resolve(f, i.fileName)).filter((t) => t !== undefined && t !== f))]];
}));

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let counter = 0;
const index = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const cycles = [];
function visit(v) {
  index.set(v, counter);
  low.set(v, counter);
  counter++;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!edges.has(w)) continue;
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) {
      low.set(v, Math.min(low.get(v), index.get(w)));
    }
  }
  if (low.get(v) === index.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component);
  }
}
for (const f of files) if (!index.has(f)) visit(f);

for (const c of cycles) {
  console.error(`import cycle (type imports count): ${c.map((f) => path.relative(root, f)).sort().join(' , ')}`);
}
if (cycles.length > 0) process.exit(1);
