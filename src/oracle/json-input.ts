/**
 * Reading a JSON document from a file or stdin for the oracle commands, with
 * every failure turned into a NatgradError at the document's root path
 * (`spec`, `candidate`).
 */
import { NatgradError } from '../core/errors.js';
import { fileFailure } from '../core/file-failure.js';
import { assertAllFinite } from './json-reader.js';

/** Where the oracle's documents come from: the CLI's streams, or a test's memory. */
export interface TextSource {
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
}

/** Why a file could not be read. */
const readFailure = (e: unknown): string => fileFailure(e, 'no such file');

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The text of `source` ('-' for stdin). */
export async function readSource(io: TextSource, source: string, root: string): Promise<string> {
  if (source === '-') {
    try {
      return await io.readStdin();
    } catch (e) {
      throw new NatgradError(root, `cannot read stdin (${readFailure(e)})`);
    }
  }
  try {
    return await io.readFile(source);
  } catch (e) {
    throw new NatgradError(root, `cannot read file '${source}' (${readFailure(e)})`);
  }
}

/**
 * JSON.parse with a one-line message naming what was expected. JSON has no
 * NaN or Infinity, and a literal that overflows (1e999) parses to Infinity,
 * so both are rejected here with the path of the offending number.
 */
export function parseJson(text: string, root: string, source: string): unknown {
  const from = source === '-' ? 'stdin' : `'${source}'`;
  if (text.trim() === '') throw new NatgradError(root, `not valid JSON: ${from} is empty; expected a JSON object or array`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? oneLine(e.message) : 'parse error';
    const hint = /\b(NaN|-?Infinity)\b/.test(text) ? '; NaN and Infinity are not JSON, every number must be finite' : '';
    throw new NatgradError(root, `not valid JSON in ${from} (${why})${hint}`);
  }
  assertAllFinite(value, root);
  return value;
}

/** Reads and parses one JSON document. */
export async function readJson(io: TextSource, source: string, root: string): Promise<unknown> {
  return parseJson(await readSource(io, source, root), root, source);
}
