// Module hooks that refuse the computer-algebra packages behind src/symbolic,
// so a test can show which paths of the CLI never load them.
const ALGEBRA = /\/node_modules\/(algebrite|mathjs)\//;

export async function load(url, context, nextLoad) {
  if (ALGEBRA.test(url)) throw new Error(`the computer algebra is blocked in this run (${url})`);
  return nextLoad(url, context);
}
