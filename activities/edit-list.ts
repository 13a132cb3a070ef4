import { PutObjectCommand } from '@aws-sdk/client-s3';
import { log } from '@temporalio/activity';
import type { BrollResult, EditListEntry, ProjectState } from '../schemas';
import { editListObjectKeys } from '../schemas/object-keys';
import type { ActivityDeps } from './deps';
import type { EditListSegment } from '../schemas';
import { editListEntries, formatCsv, formatEdl, type EditListFps } from './edit-list-format';

export interface EditListInput {
  bucket: string;
  prefix: string;
  projectId: string;
  fps: EditListFps;
  state: ProjectState;
  segments: EditListSegment[];
  /** Segments without an approved clip. */
  missing: string[];
}

export interface WrittenEditList {
  editList: BrollResult['editList'];
  entries: EditListEntry[];
}

/**
 * Writes `<prefix><projectId>/edit-list.edl|.csv|.json` beside the clips. Each object is written whole
 * with a PUT, so a retried attempt simply writes the same bytes again.
 */
export function createWriteEditList(deps: Pick<ActivityDeps, 's3'>) {
  return async function writeEditList(input: EditListInput): Promise<WrittenEditList> {
    const keys = editListObjectKeys(input.prefix, input.projectId);
    const entries = editListEntries(input.segments, input.fps);
    const record = { projectId: input.projectId, state: input.state, fps: input.fps, missing: input.missing, entries };
    const objects: Array<[string, string, string]> = [
      [keys.edlKey, formatEdl(input.projectId, entries, input.fps), 'text/plain; charset=us-ascii'],
      [keys.csvKey, formatCsv(entries), 'text/csv; charset=utf-8'],
      [keys.jsonKey, JSON.stringify(record, null, 2), 'application/json'],
    ];
    for (const [key, body, contentType] of objects) {
      await deps.s3.send(new PutObjectCommand({ Bucket: input.bucket, Key: key, Body: body, ContentType: contentType }));
    }
    log.info('edit list written', { projectId: input.projectId, events: entries.length, missing: input.missing.length });
    return { editList: { bucket: input.bucket, ...keys }, entries };
  };
}
