// Minimal declarations for node-gyp-build, which ships no types.
declare module 'node-gyp-build' {
  interface Load {
    (dir: string): unknown;
    /** The path of the binary that load(dir) would load; throws when there is none. */
    resolve(dir: string): string;
  }
  const load: Load;
  export = load;
}
