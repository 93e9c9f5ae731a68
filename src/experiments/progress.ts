/**
 * A cli-progress bar writing through a text sink (the CLI's io.stderr), so
 * commands never touch process streams directly; a no-op when the session is
 * not interactive, so piped output and test transcripts stay clean.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  update(value: number, loss: number): void;
  stop(): void;
}

const silent: Progress = { start() {}, update() {}, stop() {} };

/** A progress bar on `write` when `interactive`, otherwise one that prints nothing. */
export function progressBar(write: (text: string) => void, interactive: boolean): Progress {
  if (!interactive) return silent;
  const stream = {
    isTTY: true,
    columns: 100,
    write: (s: string) => {
      write(s);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  const bar = new cliProgress.SingleBar(
    { stream, format: '{label} [{bar}] {value}/{total} loss {loss}', hideCursor: false, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, label) => bar.start(total, 0, { label, loss: '-' }),
    update: (value, loss) => bar.update(value, { loss: loss.toPrecision(5) }),
    stop: () => bar.stop(),
  };
}
