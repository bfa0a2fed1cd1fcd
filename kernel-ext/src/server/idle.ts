/**
 * Idle exit: a server started with an idle limit (the one the Jupyter proxy starts) stops
 * by itself once it has had nothing to do for that long. It never stops while any job is
 * unfinished (rows, fan-ins, retries: the reaper and fan-in need it), while a Jupyter
 * server is attached, while a WebSocket client is connected, or within the limit of the
 * last request.
 */
export interface IdleSignals {
  hasUnfinishedWork(): boolean;
  attached(): number;
  clients(): number;
  lastRequestAt(): number;
}

export function watchIdle(
  idleMs: number,
  signals: IdleSignals,
  onIdle: () => void
): { stop(): void } {
  // Idle from the first check that found nothing to do (so never before the limit).
  let idleSince: number | null = Date.now();
  const check = () => {
    const now = Date.now();
    const busy = signals.clients() > 0 || signals.attached() > 0 || signals.hasUnfinishedWork();
    if (busy) {
      idleSince = null;
      return;
    }
    idleSince ??= now;
    if (now - Math.max(idleSince, signals.lastRequestAt()) >= idleMs) {
      clearInterval(timer);
      onIdle();
    }
  };
  const timer = setInterval(check, Math.max(50, Math.min(30_000, idleMs / 4)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
