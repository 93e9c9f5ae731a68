// Preloaded into a CLI child process by the tests: reports the process's peak
// resident memory (KiB) on file descriptor 3 as it exits.
const { writeSync } = require('node:fs');
process.on('exit', () => {
  try {
    writeSync(3, String(process.resourceUsage().maxRSS));
  } catch {
    // no descriptor 3: the test did not ask
  }
});
