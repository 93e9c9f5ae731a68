// Module loader hooks that append every loaded module's URL to the file named
// by MODULE_LOG (one per line): how many modules an entry point loads, and which.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  if (process.env.MODULE_LOG) appendFileSync(process.env.MODULE_LOG, `${url}\n`);
  return nextLoad(url, context);
}
