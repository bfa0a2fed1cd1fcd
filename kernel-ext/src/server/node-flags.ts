/**
 * V8 flags the server's Node runs with: `bulkrun attach` starts it with them, and so do the
 * benchmarks (bench/lib.js) and the tests' server processes (test/helpers/server.ts).
 *
 * A young generation of 4 MB semi-spaces. With V8's own sizing the heap grew to
 * 160–220 MB while 40–150 MB of it were in use during a 100,000-row batch's cancel and
 * retry, and RSS peaked at 290–370 MB; with this, at 200–253 MB (bench/load.js,
 * docs/BENCHMARKS.md "Under load"). The server's garbage is mostly short-lived (rows,
 * events, frames), so the extra scavenges cost little: the same runs took as long.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
