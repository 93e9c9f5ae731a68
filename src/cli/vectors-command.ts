/**
 * `natgrad vectors [--out DIR] [--check]`: writes the oracle test-vector
 * suite to DIR (default `vectors`), or with --check regenerates it in memory
 * and exits 1 listing every file of DIR that is stale, missing or not part of
 * the suite. Exit 2 with one `natgrad: <where>: <reason>` line when the suite
 * cannot be written or read.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { NatgradError } from '../core/errors.js';
import { generateVectors, isFresh, natgradVersion } from '../oracle/vectors.js';
import { errorLine } from './error-message.js';
import type { Io } from './io.js';
import { writeOutputFile } from './output-file.js';

export interface VectorsOptions {
  /** the suite's folder (default `vectors`) */
  out?: string;
  /** compare DIR with a fresh generation instead of writing */
  check?: boolean;
}

/** Default folder of the committed suite, relative to the working directory. */
export const DEFAULT_VECTORS_DIR = 'vectors';

/** Every file below `dir`, as paths relative to it with `/` separators; empty when `dir` does not exist. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT' && d === dir) return;
      throw e;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

async function readIfPresent(io: Io, path: string): Promise<string | null> {
  try {
    return await io.readFile(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw new NatgradError('--out', `cannot read '${path}' (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
}

/** The stale, missing and extra files of `dir` against a generation, as report lines. */
async function staleFiles(io: Io, dir: string, files: Map<string, string>): Promise<string[]> {
  const problems: string[] = [];
  for (const [rel, text] of files) {
    const committed = await readIfPresent(io, join(dir, rel));
    if (committed === null) problems.push(`missing  ${rel}`);
    else if (!isFresh(rel, text, committed)) problems.push(`stale    ${rel}`);
  }
  let present: string[];
  try {
    present = await listFiles(dir);
  } catch (e) {
    throw new NatgradError('--out', `cannot list '${dir}' (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  for (const rel of present) if (!files.has(rel)) problems.push(`extra    ${rel}`);
  return problems;
}

/** Runs `natgrad vectors`; returns the exit code and never throws. */
export async function vectorsCommand(opts: VectorsOptions, io: Io): Promise<number> {
  const dir = opts.out ?? DEFAULT_VECTORS_DIR;
  try {
    if (dir.trim() === '') throw new NatgradError('--out', 'must be a folder name, got an empty string');
    const files = await generateVectors(await natgradVersion());
    const vectors = files.size - 2;
    if (opts.check) {
      const problems = await staleFiles(io, dir, files);
      if (problems.length === 0) {
        io.stdout(`vectors: ${dir}/ is fresh (${vectors} vectors, index.json, README.md)\n`);
        return 0;
      }
      io.stdout(
        `vectors: ${dir}/ is out of date in ${problems.length} file${problems.length === 1 ? '' : 's'}; regenerate with \`natgrad vectors --out ${dir}\`\n`,
      );
      for (const p of problems) io.stdout(`  ${p}\n`);
      return 1;
    }
    for (const [rel, text] of files) await writeOutputFile(io, join(dir, rel), text, '--out');
    io.stdout(`vectors: wrote ${vectors} vectors, index.json and README.md to ${dir}/\n`);
    return 0;
  } catch (e) {
    io.stderr(errorLine(e, 'vectors'));
    return 2;
  }
}
