/**
 * Payment codes and secrets never reach logs, receipts or error messages in full.
 * A code keeps its last four characters so a member and a technician can still tell
 * two receipts apart: `****1234`. Lives with the drivers because the scanner driver is the
 * first place a code exists; the agent re-exports it.
 */
export function maskCode(code: string): string {
  const tail = code.length > 4 ? code.slice(-4) : '';
  return `****${tail}`;
}
