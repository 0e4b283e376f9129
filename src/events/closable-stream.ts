// A subscription's stream must let go of its pub/sub subscriber the moment the client leaves.
//
// An async generator cannot do that alone: `return()` on a generator that is parked at an `await` (waiting
// for the next event) is queued behind that await, and on a generator that never started it finishes
// without running its `finally`. Either way the subscriber stayed registered after the socket closed: the
// memory a WebSocket flood left behind. `closable` runs the cleanup first (ending the source, so the parked
// await resolves), then returns the generator.
export function closable<T>(generator: AsyncGenerator<T>, cleanup: () => unknown): AsyncGenerator<T> {
  let cleaned: Promise<unknown> | undefined;
  const runCleanup = () => (cleaned ??= Promise.resolve().then(cleanup));
  const stream: AsyncGenerator<T> = {
    next: (...args) => generator.next(...args),
    async return(value) {
      await runCleanup();
      return generator.return(value as T);
    },
    async throw(error) {
      await runCleanup();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
