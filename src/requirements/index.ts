/** Public surface of the requirements-file parser. */
export type { MarkerNode, MarkerOp, MarkerOperand, MarkerVariable } from './marker-ast.js';
export { evaluateMarker } from './marker-evaluate.js';
export { markerEnvironment, type MarkerEnvironment } from './marker-environment.js';
export { formatMarker } from './marker-format.js';
export { parseMarker } from './marker-parser.js';
export { parseRequirement, type Pep508Requirement } from './pep508-requirement.js';
export { formatRequirement, toPipRequirementsText } from './pip-requirements-text.js';
export type { Origin, RecordedOption, Requirement } from './requirement.js';
export {
  parseRequirementsFile,
  type ParseRequirementsOptions,
  type ParsedRequirements,
} from './requirements-file.js';
export { constraintsForTarget, requirementsForTarget } from './requirements-for-target.js';
export type { RequirementsSource } from './requirements-source.js';
