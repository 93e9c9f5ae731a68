/** The Io of the real process. */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Io } from './io.js';

export function processIo(): Io {
  return {
    stdout: (t) => { process.stdout.write(t); },
    stderr: (t) => { process.stderr.write(t); },
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    readFile: (p) => readFile(p, 'utf8'),
    async writeFile(p, t) {
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, t, 'utf8');
    },
    interactive: Boolean(process.stderr.isTTY),
  };
}
