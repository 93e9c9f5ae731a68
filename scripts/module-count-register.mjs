// `node --import ./scripts/module-count-register.mjs ...` logs every loaded module (see module-count-hooks.mjs).
import { register } from 'node:module';

register('./module-count-hooks.mjs', import.meta.url);
