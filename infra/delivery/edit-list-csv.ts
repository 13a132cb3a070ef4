import { framesToTimecode, type EditListFps } from './timecode';
import { csvField } from './csv-field';
import type { DeliveryEvent } from './timeline';

export const DELIVERY_CSV_COLUMNS = [
  'event',
  'segmentId',
  'take',
  'clipName',
  'recordIn',
  'recordOut',
  'sourceIn',
  'sourceOut',
  'frames',
  'approval',
  'round',
  'sha256',
  'promptText',
  'text',
] as const;

/**
 * The timeline for people and spreadsheets: one row per event with the same clip names and timecodes
 * as the EDL and the XML. RFC 4180, CRLF line ends; text that starts like a formula is prefixed with
 * `'` so a spreadsheet shows it as text.
 */
export function formatDeliveryCsv(events: readonly DeliveryEvent[], fps: EditListFps): string {
  const tc = (frames: number) => framesToTimecode(frames, fps);
  const rows = events.map((event) =>
    [
      event.event,
      event.segmentId,
      event.clip?.take,
      event.clip?.name,
      tc(event.recordIn),
      tc(event.recordOut),
      tc(event.sourceIn),
      tc(event.sourceOut),
      event.recordOut - event.recordIn,
      event.approval,
      event.round,
      event.clip?.sha256,
      event.promptText,
      event.text,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[DELIVERY_CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
