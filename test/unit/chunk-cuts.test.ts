import { chunkDistribution, cutChunks, type Boundary, type ChunkShape, type SpeechPiece } from '../../client/explainer/chunk-cuts';

const SHAPE: ChunkShape = { targetMs: 5000, minMs: 4000, maxMs: 6000, longestMs: 10_000 };

function piece(seconds: number, after: Boundary, text = `${seconds}s`): SpeechPiece {
  return { text, spokenMs: seconds * 1000, after };
}

const lengths = (chunks: SpeechPiece[][]) => chunks.map((chunk) => chunk.reduce((sum, part) => sum + part.spokenMs, 0) / 1000);

test('short sentences are merged into chunks of about 5 s, cut at sentence ends', () => {
  const pieces = [1.5, 2, 1.5, 2.5, 2.5].map((seconds, index, all) => piece(seconds, index === all.length - 1 ? 'end' : 'sentence'));
  expect(lengths(cutChunks(pieces, SHAPE))).toEqual([5, 5]);
});

test('a long sentence is cut at a clause when that brings both halves into the band', () => {
  const pieces = [piece(3, 'clause'), piece(2, 'clause'), piece(4, 'sentence'), piece(5, 'end')];
  expect(lengths(cutChunks(pieces, SHAPE))).toEqual([5, 4, 5]);
});

test('a sentence end is preferred to a clause when both give chunks in the band', () => {
  const pieces = [piece(2, 'clause'), piece(2.5, 'sentence'), piece(1, 'clause'), piece(4, 'end')];
  // Cutting at the sentence (4.5 + 5) beats cutting at the clause (5.5 + 4) by the clause's cost.
  expect(lengths(cutChunks(pieces, SHAPE))).toEqual([4.5, 5]);
});

test('a title is never a chunk of its own: it joins the sentence after it', () => {
  const pieces = [piece(2, 'join', 'Why the sky is blue.'), piece(4.5, 'sentence'), piece(5, 'end')];
  const chunks = cutChunks(pieces, SHAPE);
  expect(chunks[0]![0]!.text).toBe('Why the sky is blue.');
  expect(lengths(chunks)).toEqual([6.5, 5]);
});

test('a short paragraph runs on into the next when they share a visual, never across a hard end', () => {
  const shared = [piece(5, 'paragraph'), piece(1.5, 'paragraph'), piece(3, 'end')];
  expect(lengths(cutChunks(shared, SHAPE))).toEqual([5, 4.5]);
  const ownVisual = [piece(5, 'end'), piece(1.5, 'end'), piece(3, 'end')];
  expect(lengths(cutChunks(ownVisual, SHAPE))).toEqual([5, 1.5, 3]);
});

test('no chunk is longer than the longest clip, even when that leaves chunks outside the band', () => {
  const pieces = [piece(6, 'sentence'), piece(5, 'end')];
  expect(lengths(cutChunks(pieces, { ...SHAPE, longestMs: 8000 }))).toEqual([6, 5]);
  expect(() => cutChunks([piece(9, 'end')], { ...SHAPE, longestMs: 8000 })).toThrow(/longer than it/);
});

/** The documented cost of one way to cut, computed directly: (s − 5)² + 20·(outside the 4–6 band)² + 4 if outside it, per chunk; 1 per clause cut, 3 per paragraph run on. */
function costOf(pieces: SpeechPiece[], cuts: boolean[]): number {
  let total = 0;
  let seconds = 0;
  let spans = 0;
  for (const [index, part] of pieces.entries()) {
    seconds += part.spokenMs / 1000;
    if (index === pieces.length - 1 || cuts[index]) {
      if (seconds > 10) return Infinity;
      const outside = seconds < 4 || seconds > 6 ? 4 : 0;
      total += (seconds - 5) ** 2 + 20 * (Math.max(0, 4 - seconds) ** 2 + Math.max(0, seconds - 6) ** 2) + outside + 3 * spans;
      if (part.after === 'clause') total += 1;
      if (part.after === 'join') return Infinity;
      seconds = 0;
      spans = 0;
    } else if (part.after === 'end') return Infinity;
    else if (part.after === 'paragraph') spans++;
  }
  return total;
}

test('the chosen cuts cost no more than any other way to cut (brute force over small scripts)', () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const kinds: Boundary[] = ['join', 'clause', 'sentence', 'sentence', 'paragraph', 'end'];
  for (let round = 0; round < 300; round++) {
    const count = 1 + Math.floor(random() * 9);
    const pieces = Array.from({ length: count }, (_, index) =>
      piece(Math.round((0.5 + random() * 4.5) * 10) / 10, index === count - 1 ? 'end' : kinds[Math.floor(random() * kinds.length)]!),
    );
    let cheapest = Infinity;
    for (let mask = 0; mask < 2 ** (count - 1); mask++) {
      cheapest = Math.min(
        cheapest,
        costOf(
          pieces,
          pieces.map((_, index) => (mask & (1 << index)) !== 0),
        ),
      );
    }
    if (cheapest === Infinity) {
      expect(() => cutChunks(pieces, SHAPE)).toThrow(/longer than it/);
      continue;
    }
    const chunks = cutChunks(pieces, SHAPE);
    const cuts = pieces.map(() => false);
    let index = -1;
    for (const chunk of chunks.slice(0, -1)) cuts[(index += chunk.length)] = true;
    expect(costOf(pieces, cuts)).toBeCloseTo(cheapest, 9);
    expect(chunks.flat()).toEqual(pieces);
  }
});

test('the distribution reports the count in the band, min, median and max', () => {
  expect(chunkDistribution([3200, 5600, 4400, 4800], { minMs: 4000, maxMs: 6000 })).toEqual({
    chunks: 4,
    withinBand: 3,
    minMs: 3200,
    medianMs: 4600,
    maxMs: 5600,
  });
});
