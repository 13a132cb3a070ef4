import type { EditListFps } from './timecode';
import { fileUrl, mediaPath } from './media-path';
import { clipBaseName, type DeliveryEvent } from './timeline';

export interface FcpXmlOptions {
  title: string;
  fps: EditListFps;
  /** The sequence's frame size (the project's ratio, e.g. 1280×720). */
  width: number;
  height: number;
  /** The folder the clips are in on the editor's machine; without it clips are named but not linked. */
  mediaRoot?: string;
  /** Another file name per clip (a mezzanine transcode) to link instead of the clip itself. */
  mediaName?: (event: DeliveryEvent) => string;
}

/**
 * A Final Cut Pro 7 XML (xmeml version 4) sequence, what Premiere Pro and DaVinci Resolve import: one
 * video track, one clipitem per segment that has a clip, at its record frames (`start`/`end`), trimmed
 * to the segment (`in`/`out`), each with its `file` linked by a `file://localhost/` pathurl. A segment
 * without a clip is left as a gap. The clipitem's comment keeps the segment, take and approval.
 */
export function formatFcpXml(events: readonly DeliveryEvent[], options: FcpXmlOptions): string {
  const rate = `<rate><timebase>${options.fps}</timebase><ntsc>FALSE</ntsc></rate>`;
  const listed = events.filter((event) => event.clip);
  const duration = Math.max(0, ...events.map((event) => event.recordOut));
  const items = listed.map((event, index) => {
    const clip = event.clip!;
    const name = options.mediaName?.(event) ?? clip.name;
    const width = clip.width ?? options.width;
    const height = clip.height ?? options.height;
    const path =
      options.mediaRoot !== undefined ? `\n              <pathurl>${xml(fileUrl(mediaPath(options.mediaRoot, name)))}</pathurl>` : '';
    return `          <clipitem id="clipitem-${index + 1}">
            <name>${xml(clipBaseName(clip.name))}</name>
            <enabled>TRUE</enabled>
            <duration>${clip.frames}</duration>
            ${rate}
            <start>${event.recordIn}</start>
            <end>${event.recordOut}</end>
            <in>${event.sourceIn}</in>
            <out>${event.sourceOut}</out>
            <file id="file-${index + 1}">
              <name>${xml(name)}</name>${path}
              ${rate}
              <duration>${clip.frames}</duration>
              <timecode>${rate}<string>00:00:00:00</string><frame>0</frame><displayformat>NDF</displayformat></timecode>
              <media>
                <video>
                  <samplecharacteristics>${rate}<width>${width}</width><height>${height}</height><pixelaspectratio>square</pixelaspectratio></samplecharacteristics>
                </video>
              </media>
            </file>
            <comments>
              <mastercomment1>${xml(`${event.segmentId} ${event.approval} take ${clip.take} round ${event.round}`)}</mastercomment1>
              <mastercomment2>${xml(event.text)}</mastercomment2>
            </comments>
          </clipitem>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE xmeml>
<xmeml version="4">
  <sequence id="sequence-1">
    <name>${xml(options.title)}</name>
    <duration>${duration}</duration>
    ${rate}
    <timecode>${rate}<string>00:00:00:00</string><frame>0</frame><displayformat>NDF</displayformat></timecode>
    <media>
      <video>
        <format>
          <samplecharacteristics>${rate}<width>${options.width}</width><height>${options.height}</height><pixelaspectratio>square</pixelaspectratio></samplecharacteristics>
        </format>
        <track>
${items.join('\n')}
        </track>
      </video>
    </media>
  </sequence>
</xmeml>
`;
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    code >= 0x10000
  );
}

/** Text and attribute values escaped; characters XML 1.0 cannot hold dropped. */
function xml(text: string): string {
  return [...text]
    .filter((char) => isXmlChar(char.codePointAt(0)!))
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
