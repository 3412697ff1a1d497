/** A message from Redis as JSON, or null when it is not JSON (another version of Pulseboard, or garbage). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
