/**
 * Where an edit list points for a clip's media: the folder the editor opens (the export folder, or
 * `--media-root` for another machine's mount of it) joined with the clip's file name. Both POSIX and
 * Windows roots are kept as the editor's machine writes them.
 */
export function mediaPath(root: string, name: string): string {
  const windows = /^[A-Za-z]:[\\/]/.test(root) || root.includes('\\');
  const separator = windows ? '\\' : '/';
  return `${root.replace(/[\\/]+$/, '')}${separator}${name}`;
}

/**
 * A `file://localhost/…` URL, each path part percent-encoded, as Premiere Pro and Final Cut Pro 7 write
 * `pathurl`; a Windows drive stays a path part (`file://localhost/D:/Edit/clip.mp4`).
 */
export function fileUrl(path: string): string {
  const parts = path
    .replace(/\\/g, '/')
    .split('/')
    .filter((part, index) => part !== '' || index === 0);
  const encoded = parts.map((part) => (/^[A-Za-z]:$/.test(part) ? part : encodeURIComponent(part)));
  const joined = encoded.join('/');
  return `file://localhost${joined.startsWith('/') ? '' : '/'}${joined}`;
}
