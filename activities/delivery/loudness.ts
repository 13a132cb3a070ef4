import { z } from 'zod';

/**
 * The narration's loudness, EBU R128 style, in two passes of ffmpeg's loudnorm: the first measures the
 * mixed narration (audio only), the second applies those measurements in the mux, as one linear gain when
 * that keeps the true peak under the limit (loudnorm falls back to its dynamic mode otherwise). Pure: the
 * filter strings and the parse of the first pass's report.
 */
export const LOUDNESS_TARGET = {
  /** Integrated loudness, LUFS: spoken-word and e-learning level (EBU R128's −23 is for broadcast). */
  integratedLufs: -16,
  /** The filter's true-peak ceiling, dBTP: below the −1 dBTP delivered, for the AAC encoder's overshoot. */
  truePeakDbtp: -1.5,
  /** Loudness range allowed before loudnorm compresses, LU: narration sits well inside it. */
  rangeLu: 11,
} as const;

const targetOptions = `I=${LOUDNESS_TARGET.integratedLufs}:TP=${LOUDNESS_TARGET.truePeakDbtp}:LRA=${LOUDNESS_TARGET.rangeLu}`;

/** The first pass's filter: measure, print the report as JSON on stderr. */
export function loudnessMeasureFilter(): string {
  return `loudnorm=${targetOptions}:print_format=json`;
}

const reportNumber = z.string().transform((text, context) => {
  const value = Number(text);
  if (text === '-inf' || text === 'inf' || !Number.isFinite(value)) {
    context.addIssue({ code: 'custom', message: `not a finite measurement: ${text}` });
    return z.NEVER;
  }
  return value;
});

const loudnormReportSchema = z.looseObject({
  input_i: z.string(),
  input_tp: z.string(),
  input_lra: z.string(),
  input_thresh: z.string(),
  target_offset: z.string(),
});

export interface LoudnessMeasurement {
  integratedLufs: number;
  truePeakDbtp: number;
  rangeLu: number;
  thresholdLufs: number;
  offsetLu: number;
}

/**
 * The measurement in the first pass's stderr (its last JSON object), or undefined when the narration is
 * silent (loudnorm reports −inf): silence is left as it is, never amplified.
 */
export function parseLoudnessReport(stderr: string): LoudnessMeasurement | undefined {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start === -1 || end < start) throw new Error('ffmpeg printed no loudnorm report');
  const report = loudnormReportSchema.parse(JSON.parse(stderr.slice(start, end + 1)));
  const values = z
    .object({
      input_i: reportNumber,
      input_tp: reportNumber,
      input_lra: reportNumber,
      input_thresh: reportNumber,
      target_offset: reportNumber,
    })
    .safeParse(report);
  if (!values.success) return undefined;
  const { input_i, input_tp, input_lra, input_thresh, target_offset } = values.data;
  // Below loudnorm's own range (−99 LUFS) there is nothing a listener hears: treat as silence.
  if (input_i < -99) return undefined;
  return { integratedLufs: input_i, truePeakDbtp: input_tp, rangeLu: input_lra, thresholdLufs: input_thresh, offsetLu: target_offset };
}

/** The second pass's filter: the measured values in, 48 kHz out (loudnorm's dynamic mode works at 192 kHz; aformat lets the graph pick the resampler). */
export function loudnessApplyFilter(measured: LoudnessMeasurement): string {
  const value = (number: number) => number.toFixed(2);
  return [
    `loudnorm=${targetOptions}`,
    `measured_I=${value(measured.integratedLufs)}`,
    `measured_TP=${value(measured.truePeakDbtp)}`,
    `measured_LRA=${value(measured.rangeLu)}`,
    `measured_thresh=${value(measured.thresholdLufs)}`,
    `offset=${value(measured.offsetLu)}`,
    'linear=true',
  ]
    .join(':')
    .concat(',aformat=sample_rates=48000');
}
