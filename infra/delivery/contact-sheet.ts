import { writeFile } from 'node:fs/promises';

/**
 * A contact sheet: one frame from the middle of each take, letterboxed into a tile, labelled with its
 * segment and take, one row per segment and one column per take, so people see every take before they
 * read a word. Built with ffmpeg in two passes: a labelled PNG per cell (a black cell with its label for
 * a take that has no clip), then the cells tiled into one JPEG.
 */
export interface ContactSheetCell {
  /** "s01 · t2", shown on the cell. */
  label: string;
  /** A local video file, or none for a take without a clip (failed, still generating). */
  file?: string;
  /** Seconds into the clip to take the frame from (its middle). */
  atSeconds?: number;
}

export const CELL_WIDTH = 320;
export const CELL_HEIGHT = 180;

/**
 * The ffmpeg arguments that make one cell's PNG. The label is read from `labelFile` with expansion off:
 * no escaping of the filter graph's or drawtext's own special characters can go wrong.
 */
export function contactCellArgs(cell: ContactSheetCell, labelFile: string, output: string): string[] {
  const fit = `scale=${CELL_WIDTH}:${CELL_HEIGHT}:force_original_aspect_ratio=decrease,pad=${CELL_WIDTH}:${CELL_HEIGHT}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1`;
  const label = `drawtext=font='DejaVu Sans':textfile='${labelFile}':expansion=none:fontsize=18:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6:x=8:y=h-th-14`;
  const input = cell.file
    ? ['-ss', String(Math.max(0, cell.atSeconds ?? 0)), '-i', cell.file]
    : ['-f', 'lavfi', '-i', `color=c=0x202020:s=${CELL_WIDTH}x${CELL_HEIGHT}:d=1`];
  return ['-hide_banner', '-nostdin', '-y', ...input, '-frames:v', '1', '-vf', `${fit},${label}`, output];
}

/** The arguments that tile numbered cell PNGs (`cell-%03d.png`) into one sheet. */
export function contactSheetArgs(cellPattern: string, columns: number, rows: number, output: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-framerate',
    '1',
    '-i',
    cellPattern,
    '-frames:v',
    '1',
    '-vf',
    `tile=${columns}x${rows}:margin=8:padding=8:color=0x101010`,
    '-q:v',
    '3',
    output,
  ];
}

/** Runs a tool (ffmpeg) with arguments; answers its stdout. */
export type RunTool = (file: string, args: string[]) => Promise<string>;

/** Makes the sheet: cells row by row (`columns` a row), in `workDir`, then `output` (a JPEG). */
export async function makeContactSheet(
  run: RunTool,
  ffmpeg: string,
  cells: readonly ContactSheetCell[],
  columns: number,
  workDir: string,
  output: string,
): Promise<{ columns: number; rows: number }> {
  if (cells.length === 0) throw new Error('a contact sheet needs at least one cell');
  const rows = Math.ceil(cells.length / columns);
  for (const [index, cell] of cells.entries()) {
    const base = `${workDir}/cell-${String(index).padStart(3, '0')}`;
    await writeFile(`${base}.txt`, cell.label.replace(/[\r\n]+/g, ' '));
    await run(ffmpeg, contactCellArgs(cell, `${base}.txt`, `${base}.png`));
  }
  await run(ffmpeg, contactSheetArgs(`${workDir}/cell-%03d.png`, columns, rows, output));
  return { columns, rows };
}
