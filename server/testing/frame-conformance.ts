/**
 * Frames the test clients received that do not validate against protocol/ (an event outside the
 * event table or not matching its schema, a response whose data does not match its request's
 * result schema). Every client reports here besides its own `invalidFrames`, and the test setup
 * (frame-conformance-setup.ts) fails the test during which one arrived: a test cannot pass on a
 * frame an outside client, validating with docs/generated, would reject.
 */
const violations: string[] = [];

/** Frames longer than this are cut in the failure message. */
const SHOWN_CHARS = 300;

export function reportFrameViolation(client: string, reason: string, text: string): void {
  const shown = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
  violations.push(`${client}: ${reason}: ${shown}`);
}

/** The violations reported since the last call, and forgets them. */
export function takeFrameViolations(): string[] {
  return violations.splice(0, violations.length);
}

/** Throws when a violation was reported since the last check. */
export function assertFrameConformance(when: string): void {
  const found = takeFrameViolations();
  if (found.length === 0) return;
  throw new Error(
    `${found.length} frame(s) received ${when} do not validate against protocol/:\n  ${found.join('\n  ')}`,
  );
}
