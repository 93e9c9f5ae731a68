/**
 * Data-parallel natural gradient: sharded Fisher aggregation on worker threads and the stochastic natural gradient.
 *
 * @module natgrad/parallel
 */
export * from './sharded-fisher.js';
export * from './stochastic-natural-gradient.js';
export { type ShardPayload, type ShardSums, shardSums } from './fisher-kernel.js';
