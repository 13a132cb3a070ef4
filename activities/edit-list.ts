import { PutObjectCommand } from '@aws-sdk/client-s3';
import { log } from '@temporalio/activity';
import { formatCmx3600 } from '../infra/delivery/cmx3600';
import { formatDeliveryCsv } from '../infra/delivery/edit-list-csv';
import { formatFcpXml } from '../infra/delivery/fcp-xml';
import { framesToTimecode, type EditListFps } from '../infra/delivery/timecode';
import { timelineEvents, type DeliveryEvent } from '../infra/delivery/timeline';
import type { BrollResult, EditListEntry, EditListSegment, ProjectState } from '../schemas';
import { editListObjectKeys } from '../schemas/object-keys';
import type { ActivityDeps } from './deps';

export interface EditListInput {
  bucket: string;
  prefix: string;
  projectId: string;
  fps: EditListFps;
  state: ProjectState;
  segments: EditListSegment[];
  /** Segments without a selected take. */
  missing: string[];
  /** The sequence's frame size (the project's ratio). */
  width: number;
  height: number;
}

export interface WrittenEditList {
  editList: BrollResult['editList'];
  entries: EditListEntry[];
}

/**
 * Writes `<prefix><projectId>/edit-list.edl|.xml|.csv|.json` beside the clips: the timeline with every
 * clip named as it is in S3 (`<projectId>-s01-t2.mp4`), trimmed to its segment. In S3 the lists name their
 * media without linking it (its folder is the editor's); `broll export` writes them again beside the
 * downloaded clips, linked. Each object is written whole with a PUT, so a retried attempt simply writes
 * the same bytes again.
 */
export function createWriteEditList(deps: Pick<ActivityDeps, 's3'>) {
  return async function writeEditList(input: EditListInput): Promise<WrittenEditList> {
    const keys = editListObjectKeys(input.prefix, input.projectId);
    const events = timelineEvents(input.segments, input.fps);
    const entries = events.map((event) => editListEntry(event, input.segments, input.fps));
    const record = { projectId: input.projectId, state: input.state, fps: input.fps, missing: input.missing, entries };
    const xml = formatFcpXml(events, { title: input.projectId, fps: input.fps, width: input.width, height: input.height });
    const objects: Array<[string, string, string]> = [
      [keys.edlKey, formatCmx3600(input.projectId, events, input.fps), 'text/plain; charset=us-ascii'],
      [keys.xmlKey, xml, 'application/xml'],
      [keys.csvKey, formatDeliveryCsv(events, input.fps), 'text/csv; charset=utf-8'],
      [keys.jsonKey, JSON.stringify(record, null, 2), 'application/json'],
    ];
    for (const [key, body, contentType] of objects) {
      await deps.s3.send(new PutObjectCommand({ Bucket: input.bucket, Key: key, Body: body, ContentType: contentType }));
    }
    log.info('edit list written', { projectId: input.projectId, events: entries.length, missing: input.missing.length });
    return { editList: { bucket: input.bucket, ...keys }, entries };
  };
}

function editListEntry(event: DeliveryEvent, segments: EditListSegment[], fps: EditListFps): EditListEntry {
  const segment = segments.find((candidate) => candidate.segmentId === event.segmentId)!;
  return {
    event: event.event,
    segmentId: event.segmentId,
    recordIn: framesToTimecode(event.recordIn, fps),
    recordOut: framesToTimecode(event.recordOut, fps),
    recordInMs: segment.recordInMs,
    recordOutMs: segment.recordOutMs,
    text: event.text,
    promptText: event.promptText,
    ...(event.clip
      ? {
          clipKey: event.clip.key,
          clipName: event.clip.name,
          take: event.clip.take,
          sha256: event.clip.sha256,
          durationSeconds: event.clip.durationSeconds,
          frames: event.recordOut - event.recordIn,
        }
      : {}),
    round: event.round,
    approval: event.approval,
  };
}
