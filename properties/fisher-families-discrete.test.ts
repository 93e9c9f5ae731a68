/** The discrete families' Fisher checks, as `natgrad verify` runs them (see fisher-family-suite.ts). */
import { fisherFamilySuite } from './fisher-family-suite.js';

fisherFamilySuite('discrete');
