// mp4box publishes its types only through package.json "exports", which this project's module resolution
// (node10, for CommonJS) does not read: the same declarations, by their file.
declare module 'mp4box' {
  export * from 'mp4box/dist/mp4box.all.cjs';
}
