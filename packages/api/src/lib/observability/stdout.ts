/**
 * Lines for stdout (log lines, metric lines), written together at the end of the current
 * tick: a request's log line and its metrics line cost one write instead of two, and a busy
 * server writes many requests' lines at once. Order is kept; nothing waits for the next
 * event-loop turn (the lines go before any promise resolved later in the tick sees them
 * written), and whatever is pending when the process exits is written then.
 */
let pending: string[] = [];
let scheduled = false;
let exitHooked = false;

function drain() {
  scheduled = false;
  if (pending.length === 0) return;
  const text = pending.join('');
  pending = [];
  try {
    process.stdout.write(text);
  } catch {
    // A line that cannot be written never fails the code that wrote it.
  }
}

/** Queues `line` (without its newline) for stdout. */
export function writeLine(line: string): void {
  pending.push(`${line}\n`);
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(drain);
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', drain);
  }
}
