/** A promise with its settling functions, for an answer that comes by another path (a worker's reply). */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/**
 * A deferred whose failure is not an unhandled rejection until it is
 * awaited: a request no one waits for any more (work a thread did itself
 * meanwhile, a read given up) may still fail.
 */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
