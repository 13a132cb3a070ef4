import type { VoiceoverLoudness } from '../../schemas/assembly';

/**
 * The narration's loudness, EBU R128 style, in two passes: the first measures the voiceovers with ffmpeg's
 * ebur128 filter (integrated loudness and sample peak), the second applies one gain in the mux that brings
 * them to the target — what loudnorm's linear mode does, at a tenth of its cost (loudnorm resamples
 * everything to 192 kHz, and took longer than the whole join). Where the gain would push the peaks over
 * the limiter's level, a limiter holds them instead of giving up loudness. Pure: the filter strings and
 * the parse of the first pass's summary.
 */
export const LOUDNESS_TARGET = {
  /** Integrated loudness, LUFS: spoken-word and e-learning level (EBU R128's −23 is for broadcast). */
  integratedLufs: -16,
  /** The delivered true peak stays at or under −1 dBTP (what the limiter's level below leaves room for). */
  truePeakCeilingDbtp: -1,
} as const;

/**
 * Where sample peaks are held: 1.5 dB under the true-peak ceiling, room for the overshoot between samples
 * and the AAC encoder's. The first pass measures sample peaks, not true peaks: true peak oversamples the
 * whole narration 4× and cost half the pass, while any gained sample peak over this level gets the limiter.
 */
const LIMITER_DBFS = -2.5;

/** The first pass's filter: R128 measurement with sample peak; per-frame lines only at verbose level, the summary at info. */
export function loudnessMeasureFilter(): string {
  return 'ebur128=peak=sample:framelog=verbose';
}

export interface LoudnessMeasurement {
  integratedLufs: number;
  samplePeakDbfs: number;
}

/**
 * The measurement in the first pass's stderr (the ebur128 summary), or undefined when the narration is
 * silent (no block above the absolute gate): silence is left as it is, never amplified.
 */
export function parseLoudnessReport(stderr: string): LoudnessMeasurement | undefined {
  const at = stderr.lastIndexOf('Summary:');
  if (at === -1) throw new Error('ffmpeg printed no ebur128 summary');
  const summary = stderr.slice(at);
  const integrated = /Integrated loudness:\s+I:\s+(-?[\d.]+|-inf|nan) LUFS/.exec(summary)?.[1];
  const peak = samplePeakIn(summary);
  if (integrated === undefined || peak === undefined)
    throw new Error(`the ebur128 summary has no integrated loudness or sample peak: ${summary}`);
  const integratedLufs = Number(integrated);
  const samplePeakDbfs = Number(peak);
  // ebur128 reports −70 LUFS (its absolute gate) when nothing passes the gate: nothing a listener hears.
  if (!Number.isFinite(integratedLufs) || !Number.isFinite(samplePeakDbfs) || integratedLufs <= -70) return undefined;
  return { integratedLufs, samplePeakDbfs };
}

/** The gain that brings the measured narration to the target, and whether its peaks then need holding. */
export function loudnessGain(measured: LoudnessMeasurement): { gainDb: number; limited: boolean } {
  const gainDb = LOUDNESS_TARGET.integratedLufs - measured.integratedLufs;
  return { gainDb, limited: measured.samplePeakDbfs + gainDb > LIMITER_DBFS };
}

/** The second pass's filter: the gain, and a look-ahead limiter when the gain alone would push peaks over its level. */
export function loudnessApplyFilter(measured: LoudnessMeasurement): string {
  const { gainDb, limited } = loudnessGain(measured);
  const volume = `volume=${gainDb.toFixed(2)}dB`;
  if (!limited) return volume;
  const limit = (10 ** (LIMITER_DBFS / 20)).toFixed(4);
  return `${volume},alimiter=limit=${limit}:attack=5:release=50:level=disabled`;
}

/** BS.1770's absolute gate: blocks quieter than this are not listened to at all. */
const ABSOLUTE_GATE_LUFS = -70;
/** BS.1770's relative gate: blocks more than this far under the ungated mean are left out. */
const RELATIVE_GATE_LU = 10;

const energy = (lufs: number) => 10 ** ((lufs + 0.691) / 10);
const lufsOf = (meanEnergy: number) => -0.691 + 10 * Math.log10(meanEnergy);

/** BS.1770-4's integrated loudness of gating blocks (LUFS each), or undefined when none passes the absolute gate. */
export function integratedLoudness(blocks: readonly number[]): number | undefined {
  const heard = blocks.filter((lufs) => lufs >= ABSOLUTE_GATE_LUFS);
  if (heard.length === 0) return undefined;
  const mean = (values: readonly number[]) => values.reduce((sum, lufs) => sum + energy(lufs), 0) / values.length;
  const relativeGate = lufsOf(mean(heard)) - RELATIVE_GATE_LU;
  const gated = heard.filter((lufs) => lufs >= relativeGate);
  return lufsOf(mean(gated));
}

/**
 * The narration's loudness from its voiceovers' own measurements: the blocks gated together (as one pass
 * over the voiceovers would gate them, less the few blocks that would straddle two of them) and the
 * loudest sample peak. Undefined when nothing is heard: silence is left as it is.
 */
export function narrationLoudness(voiceovers: readonly VoiceoverLoudness[]): LoudnessMeasurement | undefined {
  const integratedLufs = integratedLoudness(voiceovers.flatMap((voiceover) => voiceover.blocks));
  const peaks = voiceovers.flatMap((voiceover) => (voiceover.samplePeakDbfs === null ? [] : [voiceover.samplePeakDbfs]));
  if (integratedLufs === undefined || peaks.length === 0) return undefined;
  return { integratedLufs, samplePeakDbfs: Math.max(...peaks) };
}

/**
 * A one-voiceover pass's gating blocks and sample peak, from ffmpeg's stderr at verbose level: ebur128's
 * line every 100 ms carries M, the loudness of the 400 ms block ending there (the block BS.1770 gates).
 * Lines of a filter instance that ffmpeg configured and dropped unused are left out: only the instance
 * that printed the last summary counts.
 */
export function parseVoiceoverLoudness(stderr: string): VoiceoverLoudness {
  const summaries = [...stderr.matchAll(/\[Parsed_ebur128_\d+ @ (0x[0-9a-f]+)\] Summary:/g)];
  const last = summaries.at(-1);
  if (!last) throw new Error('ffmpeg printed no ebur128 summary');
  const instance = last[1]!;
  const blocks: number[] = [];
  for (const line of stderr.matchAll(/\[Parsed_ebur128_\d+ @ (0x[0-9a-f]+)\] t: [\d.]+\s+TARGET:\S+ LUFS\s+M:\s*(-?[\d.]+|-inf|nan)/g)) {
    if (line[1] !== instance) continue;
    const lufs = Number(line[2]);
    if (Number.isFinite(lufs) && lufs >= ABSOLUTE_GATE_LUFS) blocks.push(lufs);
  }
  const peak = samplePeakIn(stderr.slice(last.index));
  if (peak === undefined) throw new Error('the ebur128 summary has no sample peak');
  const samplePeakDbfs = Number(peak);
  return { blocks, samplePeakDbfs: Number.isFinite(samplePeakDbfs) ? samplePeakDbfs : null };
}

/** The sample peak an ebur128 summary reports (a number, `-inf` or `nan`, as printed). */
function samplePeakIn(summary: string): string | undefined {
  return /Sample peak:\s+Peak:\s+(-?[\d.]+|-inf|nan) dBFS/.exec(summary)?.[1];
}
