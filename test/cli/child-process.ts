/**
 * Running the built CLI (`node bin/natgrad.js`, which runs dist/) as a real
 * child process: streams, pipes, signals and memory are properties of the
 * process, which an in-process Io cannot show.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'natgrad.js');
/** Preloaded into the child: writes its peak resident memory (KiB) to fd 3 when it exits. */
const RSS_REPORTER = join(ROOT, 'test', 'cli', 'report-peak-memory.cjs');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/, so the child runs the code under test. */
export function ensureBuilt(): void {
  const entry = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestSource(join(ROOT, 'src'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'inherit' });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** wall time from the spawn to the exit */
  millis: number;
  /** peak resident memory of the child in MiB, when it exited normally */
  peakMiB: number | null;
}

/** Past this a child and everything it started are killed, so a failing test leaves nothing running. */
const KILL_AFTER_MS = 100_000;

/** Kills the child's whole process group (a shell line and its pipeline included); nothing when it has ended. */
export function killTree(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Spawns `node bin/natgrad.js ...args`, or a bash line in which `$NATGRAD`
 * runs the CLI (the paths must not contain spaces), in a process group of its
 * own, and collects what it prints.
 */
export function start(command: { args: string[] } | { shell: string }, uid?: number): { child: ChildProcess; done: Promise<Finished> } {
  const started = performance.now();
  const nodeArgs = ['--require', RSS_REPORTER, BIN];
  const stdio: ['ignore', 'pipe', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe', 'pipe'];
  const child =
    'args' in command
      ? spawn(process.execPath, [...nodeArgs, ...command.args], { cwd: ROOT, stdio, detached: true, ...(uid === undefined ? {} : { uid, gid: uid }) })
      : spawn('bash', ['-c', command.shell], { cwd: ROOT, stdio, detached: true, env: { ...process.env, NATGRAD: [process.execPath, ...nodeArgs].join(' ') } });
  const timer = setTimeout(() => killTree(child), KILL_AFTER_MS);
  let stdout = '';
  let stderr = '';
  let rss = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  child.stdio[3]!.on('data', (d) => {
    rss += d;
  });
  const done = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killTree(child); // whatever the line left in the background
      const kib = Number.parseInt(rss, 10);
      resolve({ code, signal, stdout, stderr, millis: performance.now() - started, peakMiB: Number.isFinite(kib) ? kib / 1024 : null });
    });
  });
  return { child, done };
}

/** Runs to the end (as user `uid` when given). */
export async function run(command: { args: string[] } | { shell: string }, uid?: number): Promise<Finished> {
  return start(command, uid).done;
}

/** CPU seconds the process has used, from /proc (Linux), or null. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Resolves once the child has used `seconds` of CPU (it is past start-up and
 * inside its computation), or after `fallbackMs` where /proc is missing.
 */
export async function busyFor(child: ChildProcess, seconds: number, fallbackMs = 5000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const cpu = cpuSeconds(child.pid!);
    if (cpu === null && performance.now() - t0 > fallbackMs) return NaN;
    if (cpu !== null && cpu >= seconds) return cpu;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the child ended before it was busy: ${child.exitCode ?? child.signalCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Node stack trace or an unhandled-error dump in a stderr. */
export const STACK_TRACE = /node:events|node:internal|^\s+at .+:\d+:\d+\)?$|Unhandled 'error'|Error: /m;
