/**
 * Time-to-first-spike encoding of images (method.md 6.4). It lives in the network layer
 * (network/ttfs.ts), because a network stores its input encoding and `Network.predict` applies
 * it; datasets use it from here.
 */
export { ttfsBatch, ttfsTimes, type TtfsOptions } from '../network/ttfs';
