const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/;

/**
 * Escapes text for HTML element content and double- or single-quoted
 * attribute values. `data-requires-python=">=3.8"` must be written
 * `&gt;=3.8` (PEP 503).
 */
export function escapeHtml(text: string): string {
  // Most names and filenames need nothing: skip the replace (hot in a full regeneration).
  return SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c]!) : text;
}
