/** nixpkgs conventions for transforms: package sets, call sites, `lib`, conditions, where a node sits, input lists. */
export { callSites, isCudaPackageSet, isPackageSet, libReference, type CallSite } from './conventions.js';
export { enclosingBinding, insideInterpolation, interpolatedPath, maybeParen, optionalsPrefix, tidyCondition } from './expressions.js';
export {
  addToListOfCondition,
  appendInputOperands,
  attrBinding,
  inputListOperands,
  inputOperand,
  newInputBinding,
  orderedParts,
  siblingBinding,
  type InputLayout,
  type InputPart,
  type ListPlan,
} from './inputs.js';
