import { createRequire } from 'node:module';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.History;

interface HistoryType {
  fromObject(history: unknown): History;
}
interface ProtoJson {
  toJson(type: HistoryType, message: History): unknown;
  fromJson(type: HistoryType, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

/**
 * Temporal's JSON form of a history (what `temporal workflow show --output json` writes and the Web UI downloads),
 * both ways. @temporalio/common's historyToJSON and historyFromJSON (which Worker.runReplayHistories calls on a
 * JSON history) fail in this install: their copy of protobufjs does not recognise the History type, which belongs
 * to @temporalio/proto's copy; that copy's protojson does.
 */
function codec(): { json: ProtoJson; type: HistoryType } {
  const fromProto = createRequire(require.resolve('@temporalio/proto/package.json'));
  const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): HistoryType };
  return { json: fromProto('protobufjs/ext/protojson') as ProtoJson, type: root.lookupType('temporal.api.history.v1.History') };
}

export function historyToJson(history: proto.temporal.api.history.v1.IHistory): string {
  const { json, type } = codec();
  return `${JSON.stringify(json.toJson(type, type.fromObject(history)), null, 1)}\n`;
}

export function historyFromJson(text: string): History {
  const { json, type } = codec();
  const history = json.fromJson(type, JSON.parse(text), { ignoreUnknownFields: true });
  if (!history) throw new Error('not a Temporal history');
  return history;
}
