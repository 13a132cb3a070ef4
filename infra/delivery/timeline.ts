import type { EditListSegment } from '../../schemas';
import { msToFrames, type EditListFps } from './timecode';

/**
 * The programme's timeline as every delivery format lists it: one event per segment, in programme order,
 * with record and source timecodes in frames. A clip is trimmed to its segment: the source runs from the
 * clip's first frame for exactly the record slot's length, so source and record durations are equal
 * (CMX 3600 requires it) and the narration's cues stay where the transcript puts them. Extending the
 * record instead would push every later cue off its words. A clip shorter than its slot (a segment longer
 * than the model's longest clip) ends early: its record is cut to the clip and the rest stays a gap the
 * editor sees.
 */

/** One segment as the workload hands it over: where it sits, what it says, and the take it delivers. */
export type DeliverySegment = EditListSegment;

export interface DeliveryEvent {
  event: number;
  segmentId: string;
  recordIn: number;
  recordOut: number;
  sourceIn: number;
  sourceOut: number;
  text: string;
  promptText: string;
  round: number;
  approval: DeliverySegment['approval'];
  clip?: NonNullable<DeliverySegment['clip']> & { frames: number };
}

export function timelineEvents(segments: readonly DeliverySegment[], fps: EditListFps): DeliveryEvent[] {
  return [...segments]
    .sort((a, b) => a.recordInMs - b.recordInMs || a.segmentId.localeCompare(b.segmentId))
    .map((segment, index) => {
      const recordIn = msToFrames(segment.recordInMs, fps);
      const slot = msToFrames(segment.recordOutMs, fps) - recordIn;
      const clipFrames = segment.clip ? Math.round(segment.clip.durationSeconds * fps) : undefined;
      const length = clipFrames === undefined ? slot : Math.min(slot, clipFrames);
      return {
        event: index + 1,
        segmentId: segment.segmentId,
        recordIn,
        recordOut: recordIn + length,
        sourceIn: 0,
        sourceOut: length,
        text: segment.text,
        promptText: segment.promptText,
        round: segment.round,
        approval: segment.clip ? segment.approval : 'missing',
        ...(segment.clip ? { clip: { ...segment.clip, frames: clipFrames! } } : {}),
      };
    });
}

/** The base of a clip's file name: what a timeline shows as the clip's name. */
export function clipBaseName(name: string): string {
  return name.replace(/\.[^.]+$/, '');
}
