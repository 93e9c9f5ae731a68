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
  /** true when stdout is a terminal (progress bars, colours) */
  readonly interactive: boolean;
}

/** An Io that records output, for tests. */
export function memoryIo(stdin = '', files: Record<string, string> = {}): Io & { out: string; err: string; files: Record<string, string> } {
  const io = {
    out: '',
    err: '',
    files: { ...files },
    interactive: false,
    stdout(text: string) { io.out += text; },
    stderr(text: string) { io.err += text; },
    async readStdin() { return stdin; },
    async readFile(path: string) {
      if (!(path in io.files)) throw Object.assign(new Error(`ENOENT: no such file '${path}'`), { code: 'ENOENT' });
      return io.files[path];
    },
    async writeFile(path: string, text: string) { io.files[path] = text; },
  };
  return io;
}
