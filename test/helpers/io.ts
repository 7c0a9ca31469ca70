// Captured output streams for the CLI tests: what a command writes to out and err, with an
// optional callback on each err write (to react to progress lines, e.g. send SIGINT).
export function io(onErr?: (text: string) => void) {
  const o = { out: '', err: '' };
  return {
    o,
    io: {
      out: { write: (s: string) => (o.out += s) },
      err: {
        write: (s: string) => {
          o.err += s;
          onErr?.(s);
        },
      },
    },
  };
}
