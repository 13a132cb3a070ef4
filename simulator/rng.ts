import { createHash } from 'node:crypto';
import type { DurationDistribution } from './config';

/** A number in [0, 1) fixed by its parts: the same parts always give the same number. */
export function hashUnit(...parts: Array<string | number>): number {
  const digest = createHash('sha256').update(parts.map(String).join('\u0000')).digest();
  // 48 bits of the digest: plenty of resolution, exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export type Rng = () => number;

/** A seeded stream of numbers in [0, 1) (mulberry32), one per named purpose so streams do not couple. */
export function createRng(seed: number, stream: string): Rng {
  let state = Math.floor(hashUnit(seed, stream) * 2 ** 32) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Draw from a duration distribution with two uniforms in [0, 1). */
export function drawSeconds(distribution: DurationDistribution, u1: number, u2: number): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.seconds;
    case 'uniform':
      return distribution.min + u1 * (distribution.max - distribution.min);
    case 'lognormal':
      return distribution.median * Math.exp(distribution.sigma * standardNormal(u1, u2));
  }
}

/** Box–Muller transform. */
function standardNormal(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}
