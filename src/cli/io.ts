/**
 * The CLI's only contact with the process: commands take an Io and return an
 * exit code, so the test suites can run thousands of invocations in-process.
 */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
  /**
   * Throws the error that writing `path` would raise (a folder, a file where a
   * folder should be, no permission), so a long run fails before it starts.
   * Optional: without it the failure shows when the file is written.
   */
  checkWritable?(path: string): Promise<void>;
  /** true when stdout is a terminal (progress bars, colours) */
  readonly interactive: boolean;
}

/** The most an input (a file or standard input) may hold, from the oracle contract: 256 MiB. */
export const INPUT_LIMIT_BYTES = 256 * 1024 * 1024;

/** The error of an input over the limit: nothing past `limit` bytes was read. */
export function inputTooLarge(limit: number): Error {
  const mib = limit / (1024 * 1024);
  const size = Number.isInteger(mib) ? `${mib} MiB` : `${limit} bytes`;
  return Object.assign(new Error(`larger than ${size}, the input limit; stopped reading there`), { code: 'EFBIG' });
}

/** An Io that records output, for tests. */
export function memoryIo(stdin = '', files: Record<string, string> = {}): Io & { out: string; err: string; files: Record<string, string> } {
  const io = {
    out: '',
    err: '',
    files: { ...files },
    interactive: false,
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    async readStdin() {
      return stdin;
    },
    async readFile(path: string) {
      if (!(path in io.files)) throw Object.assign(new Error(`ENOENT: no such file '${path}'`), { code: 'ENOENT' });
      return io.files[path];
    },
    async writeFile(path: string, text: string) {
      io.files[path] = text;
    },
    async checkWritable() {},
  };
  return io;
}
