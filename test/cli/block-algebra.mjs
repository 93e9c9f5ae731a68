// Preloaded with `node --import`: any attempt to load the computer algebra fails.
import { register } from 'node:module';

register('./block-algebra-hooks.mjs', import.meta.url);
