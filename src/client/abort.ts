/** AbortSignal helpers for waits that must end early on close or on the caller's signal. */

/** Resolves when `p` settles or either signal aborts (the work itself carries on and is ignored). */
export function raceAbort(p: Promise<void>, ...signals: Array<AbortSignal | undefined>): Promise<void> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  if (live.some((s) => s.aborted)) {
    p.catch(() => {});
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      for (const s of live) s.removeEventListener('abort', done);
      p.catch(() => {});
      resolve();
    };
    for (const s of live) s.addEventListener('abort', done, { once: true });
    p.then(
      () => done(),
      (err) => {
        for (const s of live) s.removeEventListener('abort', done);
        if (live.some((s) => s.aborted)) resolve();
        else reject(err);
      },
    );
  });
}
