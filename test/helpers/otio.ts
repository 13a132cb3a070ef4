import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pythonToolsInterpreter } from '../../stack/python-tools';

/**
 * An EDL or FCP XML read back by OpenTimelineIO (the editors' ecosystem's parser, installed by `npm run
 * tools`), flattened to what the tests check: each video track's items with their place on the timeline
 * and their source range, in frames, and each clip's media URL.
 */
export interface OtioItem {
  kind: 'Clip' | 'Gap' | string;
  name: string;
  /** Where the item sits on the timeline (record in), frames. */
  recordIn: number;
  /** Its length on the timeline (record duration), frames. */
  duration: number;
  /** Its source in and duration, frames. */
  sourceIn: number;
  sourceDuration: number;
  /** The media reference's kind and URL (ExternalReference), or none. */
  reference: string;
  targetUrl?: string;
}

export interface OtioTimeline {
  name: string;
  tracks: Array<{ kind: string; items: OtioItem[] }>;
}

const SCRIPT = `
import json, sys
import opentimelineio as otio
path, adapter, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
kwargs = {"rate": rate} if adapter == "cmx_3600" else {}
timeline = otio.adapters.read_from_file(path, adapter_name=adapter, **kwargs)
def frames(t): return int(round(t.rescaled_to(rate).value))
tracks = []
for track in timeline.tracks:
    items = []
    for item in track:
        rng = track.range_of_child(item)
        src = item.trimmed_range()
        ref = getattr(item, "media_reference", None)
        entry = {"kind": type(item).__name__, "name": item.name or "", "recordIn": frames(rng.start_time),
                 "duration": frames(rng.duration), "sourceIn": frames(src.start_time), "sourceDuration": frames(src.duration),
                 "reference": type(ref).__name__ if ref is not None else "None"}
        url = getattr(ref, "target_url", None)
        if url: entry["targetUrl"] = url
        items.append(entry)
    tracks.append({"kind": track.kind, "items": items})
print(json.dumps({"name": timeline.name, "tracks": tracks}))
`;

export async function readWithOtio(file: string, adapter: 'cmx_3600' | 'fcp_xml', fps: number): Promise<OtioTimeline> {
  const { stdout } = await promisify(execFile)(pythonToolsInterpreter, ['-c', SCRIPT, file, adapter, String(fps)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as OtioTimeline;
}
