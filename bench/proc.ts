// Child processes for the benchmark: a free loopback port, spawning, readiness, stopping.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const HOST = '127.0.0.1';

/** A port that was free a moment ago: listen on port 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last few KB of its stdout/stderr, shown when it fails. */
  output(): string;
}

const ROOT = new URL('..', import.meta.url);

function wrap(name: string, proc: ChildProcess): Child {
  let tail = '';
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString('utf8')).slice(-4000); };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  return { name, proc, output: () => tail };
}

/** Spawns `node --import tsx <args>` in the project root with extra environment variables. */
export function spawnNode(name: string, args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return wrap(name, proc);
}

/** The command `npm start` runs (package.json scripts.start), without npm's own start-up. */
export function startCommand(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start;
}

/**
 * Runs the start script the way npm does (a shell in the project root, node_modules/.bin on the
 * PATH), with `exec` so signals reach the server itself rather than the shell.
 */
export function spawnStart(name: string, env: Record<string, string>): Child {
  const bin = path.join(ROOT.pathname, 'node_modules', '.bin');
  const proc = spawn('/bin/sh', ['-c', `exec ${startCommand()}`], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return wrap(name, proc);
}
/**
 * Polls GET <base>/readyz every `everyMs`, at most `tries` times (two minutes by default: a loaded
 * machine starts slowly); fails early if the child exits.
 */
export async function waitReady(child: Child, base: string, tries = 1200, everyMs = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(`${child.name} exited before it was ready:\n${child.output()}`);
    }
    try {
      const res = await fetch(`${base}/readyz`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(everyMs);
  }
  throw new Error(`${child.name} was not ready after ${tries} tries:\n${child.output()}`);
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stop(child: Child, graceMs = 3000): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => { clearTimeout(timer); resolve(); });
    proc.kill('SIGTERM');
  });
}
