import { framesToTimecode, type EditListFps } from './timecode';
import { mediaPath } from './media-path';
import type { DeliveryEvent } from './timeline';

/**
 * A CMX 3600 EDL: one event per segment on V, reel AX (an auxiliary source, matched to media by the
 * `FROM CLIP NAME` / `FROM FILE` comments Premiere, Resolve and OpenTimelineIO read), a cut; source and
 * record durations equal (the clip trimmed to its segment). A segment without a clip is a black (BL)
 * event of its record length, so the timeline keeps its place and the editor sees the gap.
 */
export function formatCmx3600(title: string, events: readonly DeliveryEvent[], fps: EditListFps, mediaRoot?: string): string {
  const tc = (frames: number) => framesToTimecode(frames, fps);
  const lines = [`TITLE: ${ascii(title).slice(0, 70)}`, 'FCM: NON-DROP FRAME', ''];
  for (const event of events) {
    const reel = event.clip ? 'AX' : 'BL';
    lines.push(
      `${String(event.event).padStart(3, '0')}  ${reel.padEnd(8)} ${'V'.padEnd(5)} ${'C'.padEnd(8)} ` +
        `${tc(event.sourceIn)} ${tc(event.sourceOut)} ${tc(event.recordIn)} ${tc(event.recordOut)}`,
    );
    if (event.clip) {
      lines.push(`* FROM CLIP NAME: ${ascii(event.clip.name)}`);
      if (mediaRoot !== undefined) lines.push(`* FROM FILE: ${ascii(mediaPath(mediaRoot, event.clip.name))}`);
    }
    lines.push(`* COMMENT: ${event.segmentId} ${event.approval}${event.clip ? ` take ${event.clip.take} round ${event.round}` : ''}`);
    lines.push('');
  }
  return lines.join('\r\n');
}

/** EDL lines are plain ASCII without line breaks: anything else would break an importer's parse. */
function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '_');
}
