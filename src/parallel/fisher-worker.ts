/** The worker of the data-parallel Fisher: answers each shard with its sums (fisher-kernel.ts). */
import { parentPort } from 'node:worker_threads';
import { type ShardPayload, shardSums } from './fisher-kernel.js';

parentPort!.on('message', (payload: ShardPayload) => parentPort!.postMessage(shardSums(payload)));
