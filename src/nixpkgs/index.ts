/** nixpkgs conventions for transforms: package sets, call sites, `lib`, conditions, where a node sits. */
export { callSites, isCudaPackageSet, isPackageSet, libReference, type CallSite } from './conventions.js';
export { enclosingBinding, insideInterpolation, interpolatedPath, maybeParen, optionalsPrefix, tidyCondition } from './expressions.js';
