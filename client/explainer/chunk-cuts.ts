/**
 * Where to cut the narration into chunks: given the script as a run of pieces (clauses, each knowing what
 * boundary follows it), choose the cuts that bring every chunk's speech closest to the target length.
 * Chunks within [minMs, maxMs] cost little, outside it much more (a step, then by the square of the
 * distance), and a chunk past the longest clip is impossible; a cut at a clause costs a little more than
 * one at a sentence, and a chunk that runs on into the next paragraph more again. Solved exactly (dynamic programming over the cut points), so the
 * answer does not depend on where a greedy pass happened to start.
 */

/** What follows a piece: where a narrator may stop, and how natural a stop there is. */
export type Boundary =
  /** Never cut here (a title is said together with the sentence after it). */
  | 'join'
  /** A comma, semicolon, colon or dash inside a sentence. */
  | 'clause'
  | 'sentence'
  /** A paragraph ends; a chunk may run on into the next one (both share the brief's visual). */
  | 'paragraph'
  /** A chunk must end here (the script's end, or the next paragraph has a visual of its own). */
  | 'end';

export interface SpeechPiece {
  text: string;
  spokenMs: number;
  after: Boundary;
}

export interface ChunkShape {
  /** The length to aim for. */
  targetMs: number;
  /** The band a chunk should fall in wherever the script allows. */
  minMs: number;
  maxMs: number;
  /** No chunk may be longer: the model's longest clip. */
  longestMs: number;
}

/** Seconds² of cost for each unit, so a second off the target costs 1 and a second outside the band 1 + 20. */
const OUTSIDE_BAND_WEIGHT = 20;
/** Any chunk outside the band costs this much more: more chunks in the band beats chunks nearer the target. */
const OUTSIDE_BAND_STEP = 4;
const CUT_COST: Record<Boundary, number> = { join: Infinity, clause: 1, sentence: 0, paragraph: 0, end: 0 };
/** Running a chunk on across a paragraph's end: worth it only to save a chunk from falling outside the band. */
const SPAN_PARAGRAPH_COST = 3;

function chunkCost(spokenMs: number, shape: ChunkShape): number {
  const seconds = spokenMs / 1000;
  const below = Math.max(0, shape.minMs - spokenMs) / 1000;
  const above = Math.max(0, spokenMs - shape.maxMs) / 1000;
  const outside = below > 0 || above > 0 ? OUTSIDE_BAND_STEP : 0;
  return (seconds - shape.targetMs / 1000) ** 2 + OUTSIDE_BAND_WEIGHT * (below ** 2 + above ** 2) + outside;
}

/**
 * The pieces grouped into chunks, in order. The last piece must be followed by 'end'; every piece must fit
 * the longest clip on its own (the caller refuses one that does not, naming its sentence).
 */
export function cutChunks(pieces: SpeechPiece[], shape: ChunkShape): SpeechPiece[][] {
  const count = pieces.length;
  if (count === 0) return [];
  if (pieces[count - 1]!.after !== 'end') throw new Error('the last piece must end the script');
  const best: number[] = [0, ...Array<number>(count).fill(Infinity)];
  const from: number[] = Array<number>(count + 1).fill(-1);
  for (let end = 1; end <= count; end++) {
    const cut = CUT_COST[pieces[end - 1]!.after];
    if (cut === Infinity) continue;
    let spokenMs = 0;
    let spans = 0;
    for (let start = end - 1; start >= 0; start--) {
      spokenMs += pieces[start]!.spokenMs;
      if (start < end - 1) {
        const inside = pieces[start]!.after;
        if (inside === 'end') break;
        if (inside === 'paragraph') spans++;
      }
      if (spokenMs > shape.longestMs) break;
      if (best[start] === Infinity) continue;
      const cost = best[start]! + chunkCost(spokenMs, shape) + cut + spans * SPAN_PARAGRAPH_COST;
      if (cost < best[end]!) {
        best[end] = cost;
        from[end] = start;
      }
    }
  }
  if (best[count] === Infinity) throw new Error('no chunking fits the longest clip: a piece is longer than it');
  const chunks: SpeechPiece[][] = [];
  for (let end = count; end > 0; end = from[end]!) chunks.unshift(pieces.slice(from[end]!, end));
  return chunks;
}

/** How the chunks' speech lengths fall: what the plan reports. */
export interface ChunkDistribution {
  chunks: number;
  /** Chunks whose speech is within the band. */
  withinBand: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
}

export function chunkDistribution(spokenMs: number[], shape: Pick<ChunkShape, 'minMs' | 'maxMs'>): ChunkDistribution {
  const sorted = [...spokenMs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
  return {
    chunks: sorted.length,
    withinBand: sorted.filter((ms) => ms >= shape.minMs && ms <= shape.maxMs).length,
    minMs: sorted[0] ?? 0,
    medianMs: median,
    maxMs: sorted.at(-1) ?? 0,
  };
}
