/**
 * Prints a marker tree back as canonical PEP 508 text, parenthesising only
 * where `or` sits inside `and`. `parseMarker(formatMarker(m))` equals `m`.
 */
import type { MarkerNode, MarkerOperand } from './marker-ast.js';

function formatOperand(operand: MarkerOperand): string {
  if (operand.kind === 'variable') return operand.name;
  // A PEP 508 string cannot escape its quote, so pick the one it does not contain.
  return operand.value.includes('"') ? `'${operand.value}'` : `"${operand.value}"`;
}

/** Canonical text of a marker, e.g. `python_version < "3.11" and platform_machine == "armv7l"`. */
export function formatMarker(marker: MarkerNode): string {
  switch (marker.kind) {
    case 'compare':
      return `${formatOperand(marker.left)} ${marker.op} ${formatOperand(marker.right)}`;
    case 'and':
      return marker.operands
        .map((m) => (m.kind === 'or' ? `(${formatMarker(m)})` : formatMarker(m)))
        .join(' and ');
    case 'or':
      return marker.operands.map(formatMarker).join(' or ');
  }
}
